import { Migration } from '@mikro-orm/migrations';

export class Migration20261128171209_plugins extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_events\` (\`id\` text not null, \`at\` datetime not null, \`type\` text not null, \`user_id\` text null, \`actor_id\` text null, \`ip\` text null, \`details\` json null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_events_at_index\` on \`audit_events\` (\`at\`);`);
    this.addSql(`create index \`audit_events_type_index\` on \`audit_events\` (\`type\`);`);
    this.addSql(`create index \`audit_events_user_id_index\` on \`audit_events\` (\`user_id\`);`);

    this.addSql(`create table \`device_batches\` (\`id\` text not null, \`model\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`devices\` (\`id\` text not null, \`model\` text not null, \`public_key\` text not null, \`batch_id\` text not null, \`state\` text not null default 'registered', \`owner_id\` text null, \`connected\` integer not null default false, \`last_seen_at\` datetime null, \`firmware_version\` text null, \`gateway_version\` text null, \`claim_code_hash\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`devices_batch_id_index\` on \`devices\` (\`batch_id\`);`);
    this.addSql(`create index \`devices_state_index\` on \`devices\` (\`state\`);`);
    this.addSql(`create index \`devices_owner_id_index\` on \`devices\` (\`owner_id\`);`);

    this.addSql(`create table \`device_commands\` (\`id\` text not null, \`device_id\` text not null, \`name\` text not null, \`params\` json not null, \`state\` text not null default 'pending', \`created_at\` datetime not null, \`expires_at\` datetime not null, \`delivered_at\` datetime null, \`completed_at\` datetime null, \`message\` text null, \`output\` json null, primary key (\`id\`));`);
    this.addSql(`create index \`device_commands_device_id_state_index\` on \`device_commands\` (\`device_id\`, \`state\`);`);

    this.addSql(`create table \`device_telemetry_latest\` (\`device_id\` text not null, \`ts\` datetime not null, \`received_at\` datetime not null, \`data\` json not null, primary key (\`device_id\`));`);

    this.addSql(`create table \`login_throttles\` (\`key\` text not null, \`failures\` integer not null, \`locked_until\` datetime null, \`updated_at\` datetime not null, primary key (\`key\`));`);

    this.addSql(`create table \`device_telemetry\` (\`device_id\` text not null, \`ts\` datetime not null, \`cpu_percent\` double not null, \`memory_used_bytes\` bigint not null, \`memory_total_bytes\` bigint not null, \`disk_used_bytes\` bigint not null, \`disk_total_bytes\` bigint not null, \`temperature_c\` double null, \`gateway_status\` text not null, \`gateway_restarts\` integer not null, \`rx_bytes\` bigint null, \`tx_bytes\` bigint null, primary key (\`device_id\`, \`ts\`));`);
    this.addSql(`create index \`device_telemetry_ts_index\` on \`device_telemetry\` (\`ts\`);`);

    this.addSql(`create table \`tenants\` (\`id\` text not null, \`slug\` text not null, \`owner_id\` text not null, \`owner_email\` text not null, \`plan\` text not null, \`worker_id\` text not null, \`desired\` text not null default 'running', \`status\` text not null default 'scheduled', \`status_reason\` text null, \`upstream\` text null, \`volume_remove_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`deleted_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`tenants_slug_unique\` on \`tenants\` (\`slug\`);`);
    this.addSql(`create index \`tenants_owner_id_index\` on \`tenants\` (\`owner_id\`);`);
    this.addSql(`create index \`tenants_worker_id_index\` on \`tenants\` (\`worker_id\`);`);

    this.addSql(`create table \`users\` (\`id\` text not null, \`email\` text not null, \`password_hash\` text null, \`email_verified_at\` datetime null, \`roles\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`users_email_unique\` on \`users\` (\`email\`);`);

    this.addSql(`create table \`sessions\` (\`id\` text not null, \`token_hash\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`last_seen_at\` datetime not null, \`expires_at\` datetime not null, \`user_agent\` text null, \`ip\` text null, constraint \`sessions_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`sessions_token_hash_unique\` on \`sessions\` (\`token_hash\`);`);
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);

    this.addSql(`create table \`refresh_tokens\` (\`id\` text not null, \`token_hash\` text not null, \`family_id\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`used_at\` datetime null, \`revoked_at\` datetime null, constraint \`refresh_tokens_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`refresh_tokens_token_hash_unique\` on \`refresh_tokens\` (\`token_hash\`);`);
    this.addSql(`create index \`refresh_tokens_family_id_index\` on \`refresh_tokens\` (\`family_id\`);`);
    this.addSql(`create index \`refresh_tokens_user_id_index\` on \`refresh_tokens\` (\`user_id\`);`);

    this.addSql(`create table \`one_time_tokens\` (\`id\` text not null, \`token_hash\` text not null, \`purpose\` text not null, \`user_id\` text null, \`created_at\` datetime not null, \`expires_at\` datetime not null, constraint \`one_time_tokens_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`one_time_tokens_token_hash_unique\` on \`one_time_tokens\` (\`token_hash\`);`);
    this.addSql(`create index \`one_time_tokens_user_id_index\` on \`one_time_tokens\` (\`user_id\`);`);

    this.addSql(`create table \`api_tokens\` (\`id\` text not null, \`token_hash\` text not null, \`user_id\` text not null, \`name\` text not null, \`scopes\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`last_used_at\` datetime null, constraint \`api_tokens_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`api_tokens_token_hash_unique\` on \`api_tokens\` (\`token_hash\`);`);
    this.addSql(`create index \`api_tokens_user_id_index\` on \`api_tokens\` (\`user_id\`);`);

    this.addSql(`create table \`workers\` (\`id\` text not null, \`name\` text not null, \`kind\` text not null default 'docker', \`endpoint\` text not null default '', \`tls\` json null, \`labels\` json not null, \`capacity_memory\` bigint not null default 0, \`capacity_cpu\` double not null default 0, \`state\` text not null default 'active', \`key_hash\` text null, \`last_heartbeat_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`workers_name_unique\` on \`workers\` (\`name\`);`);
    this.addSql(`create unique index \`workers_key_hash_unique\` on \`workers\` (\`key_hash\`);`);
  }

}
