// The schema, as versioned steps applied in order at start-up (see Database.migrate). A step,
// once released, never changes: a new need is a new version. `table` gives a name qualified
// with the configured schema.

export interface Migration {
  readonly version: number;
  readonly name: string;
  sql(table: (name: string) => string): string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'checkpoints and the delivery journal',
    sql: (table) => `
      CREATE TABLE ${table('checkpoints')} (
        input text NOT NULL,
        service text NOT NULL,
        record jsonb NOT NULL,
        revision bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (input, service)
      );
      CREATE TABLE ${table('delivered')} (
        output text NOT NULL,
        input text NOT NULL,
        service text NOT NULL,
        key text NOT NULL,
        seq bigserial NOT NULL,
        PRIMARY KEY (output, input, service, key)
      );
      CREATE INDEX ON ${table('delivered')} (output, seq);
    `,
  },
  {
    version: 2,
    name: 'replicas and their leases on inputs',
    // A unit is one input (an account): all its streams live on one replica, so the account's
    // rate budget holds. Expiry times are the database's clock (now()), never a replica's.
    sql: (table) => `
      CREATE TABLE ${table('replicas')} (
        id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE ${table('leases')} (
        unit text PRIMARY KEY,
        owner text NULL,
        epoch bigint NOT NULL DEFAULT 0,
        expires_at timestamptz NULL
      );
      CREATE INDEX ON ${table('leases')} (owner);
    `,
  },
  {
    version: 3,
    name: 'checkpoints as json, which keeps NUL characters',
    // jsonb refuses the escape \u0000 (its strings are PostgreSQL text, which cannot hold NUL),
    // and a vendor's id or cursor may contain one: a record that cannot be written would hold
    // its stream for ever. json stores the text as given; ->> and friends still read it.
    sql: (table) => `
      ALTER TABLE ${table('checkpoints')} ALTER COLUMN record TYPE json USING record::json;
    `,
  },
];
