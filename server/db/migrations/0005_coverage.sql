CREATE TABLE "coverage_hourly" (
	"location_id" uuid NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"hour_end" timestamp with time zone NOT NULL,
	"local_date" date NOT NULL,
	"local_hour" smallint NOT NULL,
	"required" integer NOT NULL,
	"scheduled" double precision NOT NULL,
	"staffed" double precision NOT NULL,
	"min_staffed" integer NOT NULL,
	"short_minutes" integer NOT NULL,
	"status" text NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "coverage_hourly_location_id_hour_start_pk" PRIMARY KEY("location_id","hour_start")
);
--> statement-breakpoint
ALTER TABLE "coverage_hourly" ADD CONSTRAINT "coverage_hourly_location_id_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."locations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coverage_hourly_date_idx" ON "coverage_hourly" USING btree ("location_id","local_date");