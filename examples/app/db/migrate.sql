-- The preview database's schema: run on every deploy of a preview (input database-migrate), so it is idempotent.
CREATE TABLE IF NOT EXISTS visits (at timestamptz NOT NULL DEFAULT now());
