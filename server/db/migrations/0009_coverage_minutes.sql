ALTER TABLE "coverage_hourly" ADD COLUMN "staffed_minutes" integer[];--> statement-breakpoint
CREATE INDEX "work_shifts_employee_out_idx" ON "work_shifts" USING btree ("employee_id","clock_out_at");