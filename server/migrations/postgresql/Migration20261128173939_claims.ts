import { Migration } from '@mikro-orm/migrations';

export class Migration20261128173939_claims extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "devices" add column "claimed_at" timestamptz null, add column "claim_failures" int not null default 0, add column "claim_locked_until" timestamptz null, add column "config_version" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "devices" drop column "claimed_at", drop column "claim_failures", drop column "claim_locked_until", drop column "config_version";`);
  }

}
