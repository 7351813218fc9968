-- Run once, right after a preview's database was created (input database-seed); a later deploy never re-seeds.
INSERT INTO visits (at) VALUES ('2026-01-01T00:00:00Z');
