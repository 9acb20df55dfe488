import { Migration } from '@mikro-orm/migrations';

export class Migration20261128171209_plugins extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_events" ("id" uuid not null, "at" timestamptz not null, "type" varchar(64) not null, "user_id" uuid null, "actor_id" uuid null, "ip" varchar(64) null, "details" jsonb null, constraint "audit_events_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_events_at_index" on "audit_events" ("at");`);
    this.addSql(`create index "audit_events_type_index" on "audit_events" ("type");`);
    this.addSql(`create index "audit_events_user_id_index" on "audit_events" ("user_id");`);

    this.addSql(`create table "device_batches" ("id" varchar(64) not null, "model" varchar(64) not null, "created_at" timestamptz not null, constraint "device_batches_pkey" primary key ("id"));`);

    this.addSql(`create table "devices" ("id" varchar(20) not null, "model" varchar(64) not null, "public_key" text not null, "batch_id" varchar(64) not null, "state" varchar(16) not null default 'registered', "owner_id" varchar(64) null, "connected" boolean not null default false, "last_seen_at" timestamptz null, "firmware_version" varchar(64) null, "gateway_version" varchar(64) null, "claim_code_hash" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "devices_pkey" primary key ("id"));`);
    this.addSql(`create index "devices_batch_id_index" on "devices" ("batch_id");`);
    this.addSql(`create index "devices_state_index" on "devices" ("state");`);
    this.addSql(`create index "devices_owner_id_index" on "devices" ("owner_id");`);

    this.addSql(`create table "device_commands" ("id" varchar(64) not null, "device_id" varchar(20) not null, "name" varchar(32) not null, "params" jsonb not null, "state" varchar(16) not null default 'pending', "created_at" timestamptz not null, "expires_at" timestamptz not null, "delivered_at" timestamptz null, "completed_at" timestamptz null, "message" text null, "output" jsonb null, constraint "device_commands_pkey" primary key ("id"));`);
    this.addSql(`create index "device_commands_device_id_state_index" on "device_commands" ("device_id", "state");`);

    this.addSql(`create table "device_telemetry_latest" ("device_id" varchar(20) not null, "ts" timestamptz not null, "received_at" timestamptz not null, "data" jsonb not null, constraint "device_telemetry_latest_pkey" primary key ("device_id"));`);

    this.addSql(`create table "login_throttles" ("key" varchar(64) not null, "failures" int not null, "locked_until" timestamptz null, "updated_at" timestamptz not null, constraint "login_throttles_pkey" primary key ("key"));`);

    this.addSql(`create table "device_telemetry" ("device_id" varchar(20) not null, "ts" timestamptz not null, "cpu_percent" double precision not null, "memory_used_bytes" bigint not null, "memory_total_bytes" bigint not null, "disk_used_bytes" bigint not null, "disk_total_bytes" bigint not null, "temperature_c" double precision null, "gateway_status" varchar(16) not null, "gateway_restarts" int not null, "rx_bytes" bigint null, "tx_bytes" bigint null, constraint "device_telemetry_pkey" primary key ("device_id", "ts"));`);
    this.addSql(`create index "device_telemetry_ts_index" on "device_telemetry" ("ts");`);

    this.addSql(`create table "tenants" ("id" varchar(36) not null, "slug" varchar(63) not null, "owner_id" varchar(64) not null, "owner_email" varchar(320) not null, "plan" varchar(16) not null, "worker_id" varchar(64) not null, "desired" varchar(16) not null default 'running', "status" varchar(16) not null default 'scheduled', "status_reason" text null, "upstream" varchar(255) null, "volume_remove_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "tenants_pkey" primary key ("id"));`);
    this.addSql(`alter table "tenants" add constraint "tenants_slug_unique" unique ("slug");`);
    this.addSql(`create index "tenants_owner_id_index" on "tenants" ("owner_id");`);
    this.addSql(`create index "tenants_worker_id_index" on "tenants" ("worker_id");`);

    this.addSql(`create table "users" ("id" uuid not null, "email" varchar(320) not null, "password_hash" text null, "email_verified_at" timestamptz null, "roles" varchar(200) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "token_hash" varchar(64) not null, "user_id" uuid not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, "user_agent" varchar(300) null, "ip" varchar(64) null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "token_hash" varchar(64) not null, "family_id" uuid not null, "user_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, constraint "refresh_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_tokens_family_id_index" on "refresh_tokens" ("family_id");`);
    this.addSql(`create index "refresh_tokens_user_id_index" on "refresh_tokens" ("user_id");`);

    this.addSql(`create table "one_time_tokens" ("id" uuid not null, "token_hash" varchar(64) not null, "purpose" varchar(32) not null, "user_id" uuid null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "one_time_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "one_time_tokens_user_id_index" on "one_time_tokens" ("user_id");`);

    this.addSql(`create table "api_tokens" ("id" uuid not null, "token_hash" varchar(64) not null, "user_id" uuid not null, "name" varchar(100) not null, "scopes" varchar(500) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "last_used_at" timestamptz null, constraint "api_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);

    this.addSql(`create table "workers" ("id" varchar(64) not null, "name" varchar(64) not null, "kind" varchar(16) not null default 'docker', "endpoint" varchar(512) not null default '', "tls" jsonb null, "labels" jsonb not null, "capacity_memory" bigint not null default 0, "capacity_cpu" double precision not null default 0, "state" varchar(16) not null default 'active', "key_hash" varchar(64) null, "last_heartbeat_at" timestamptz null, "created_at" timestamptz not null, constraint "workers_pkey" primary key ("id"));`);
    this.addSql(`alter table "workers" add constraint "workers_name_unique" unique ("name");`);
    this.addSql(`alter table "workers" add constraint "workers_key_hash_unique" unique ("key_hash");`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "one_time_tokens" add constraint "one_time_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "refresh_tokens" drop constraint "refresh_tokens_user_id_foreign";`);

    this.addSql(`alter table "one_time_tokens" drop constraint "one_time_tokens_user_id_foreign";`);

    this.addSql(`alter table "api_tokens" drop constraint "api_tokens_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`drop table if exists "device_batches" cascade;`);

    this.addSql(`drop table if exists "devices" cascade;`);

    this.addSql(`drop table if exists "device_commands" cascade;`);

    this.addSql(`drop table if exists "device_telemetry_latest" cascade;`);

    this.addSql(`drop table if exists "login_throttles" cascade;`);

    this.addSql(`drop table if exists "device_telemetry" cascade;`);

    this.addSql(`drop table if exists "tenants" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "refresh_tokens" cascade;`);

    this.addSql(`drop table if exists "one_time_tokens" cascade;`);

    this.addSql(`drop table if exists "api_tokens" cascade;`);

    this.addSql(`drop table if exists "workers" cascade;`);
  }

}
