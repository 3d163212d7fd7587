CREATE TABLE "org_headcount" (
	"location_id" uuid NOT NULL,
	"department_id" uuid NOT NULL,
	"active" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "org_headcount_location_id_department_id_pk" PRIMARY KEY("location_id","department_id")
);
