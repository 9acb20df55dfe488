import { Migration } from '@mikro-orm/migrations';

export class Migration20261128203329_identities extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "identities" ("id" uuid not null, "provider" varchar(64) not null, "subject" varchar(255) not null, "user_id" uuid not null, "email" varchar(320) null, "linked_at" timestamptz not null, constraint "identities_pkey" primary key ("id"));`);
    this.addSql(`create index "identities_user_id_index" on "identities" ("user_id");`);
    this.addSql(`alter table "identities" add constraint "identities_provider_subject_unique" unique ("provider", "subject");`);

    this.addSql(`alter table "identities" add constraint "identities_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "identities" cascade;`);
  }

}
