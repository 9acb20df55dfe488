import { Migration } from '@mikro-orm/migrations';

export class Migration20261128173432_liveness extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "tenants" add column "last_activity_at" timestamptz null, add column "idle_stopped_at" timestamptz null;`);

    this.addSql(`alter table "workers" add column "stats" jsonb null, add column "last_error" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tenants" drop column "last_activity_at", drop column "idle_stopped_at";`);

    this.addSql(`alter table "workers" drop column "stats", drop column "last_error";`);
  }

}
