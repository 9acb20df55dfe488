import { Migration } from '@mikro-orm/migrations';

export class Migration20261128174300_oidc extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "oidc_records" ("model" varchar(64) not null, "id" varchar(255) not null, "payload" jsonb not null, "expires_at" timestamptz null, "grant_id" varchar(255) null, "user_code" varchar(64) null, "uid" varchar(255) null, constraint "oidc_records_pkey" primary key ("model", "id"));`);
    this.addSql(`create index "oidc_records_expires_at_index" on "oidc_records" ("expires_at");`);
    this.addSql(`create index "oidc_records_grant_id_index" on "oidc_records" ("grant_id");`);
    this.addSql(`create index "oidc_records_user_code_index" on "oidc_records" ("user_code");`);
    this.addSql(`create index "oidc_records_uid_index" on "oidc_records" ("uid");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oidc_records" cascade;`);
  }

}
