"""The store's SQLite schema: tables created before the bulk load, indexes after it."""

from __future__ import annotations

SCHEMA_ID = "bitly-exports-contract/store/1"
# meta `key_order`: keys of a group's links (and of its QR codes) were given in export order, so that a
# candidate plan can read its keys in ascending runs and stop at the limit. Stores built before lack it.
KEY_ORDER = "export"

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE groups (gkey INTEGER PRIMARY KEY, guid TEXT NOT NULL, links INTEGER NOT NULL,
    qr_codes INTEGER NOT NULL);
CREATE TABLE campaigns (ckey INTEGER PRIMARY KEY, gkey INTEGER NOT NULL, guid TEXT NOT NULL);
CREATE TABLE tokens (ord INTEGER PRIMARY KEY, token TEXT NOT NULL, tier TEXT NOT NULL,
    rate_limit INTEGER, groups TEXT NOT NULL);
CREATE TABLE links (key INTEGER PRIMARY KEY, gkey INTEGER NOT NULL, id TEXT NOT NULL, title TEXT,
    long_url TEXT NOT NULL, created INTEGER NOT NULL, archived INTEGER NOT NULL, tags TEXT NOT NULL,
    domain_lc TEXT NOT NULL, search TEXT NOT NULL);
CREATE TABLE qrs (key INTEGER PRIMARY KEY, gkey INTEGER NOT NULL, id TEXT NOT NULL, title TEXT,
    qr_code_type TEXT NOT NULL, bitlink TEXT, long_url TEXT NOT NULL, created INTEGER NOT NULL,
    archived INTEGER NOT NULL, tags TEXT NOT NULL, domain_lc TEXT, search TEXT NOT NULL);
CREATE TABLE link_tags (item INTEGER NOT NULL, tag TEXT NOT NULL, gkey INTEGER NOT NULL,
    PRIMARY KEY (item, tag)) WITHOUT ROWID;
CREATE TABLE qr_tags (item INTEGER NOT NULL, tag TEXT NOT NULL, gkey INTEGER NOT NULL,
    PRIMARY KEY (item, tag)) WITHOUT ROWID;
CREATE TABLE link_campaigns (item INTEGER NOT NULL, ckey INTEGER NOT NULL,
    PRIMARY KEY (item, ckey)) WITHOUT ROWID;
-- Per-target running sums: row (tk, at) holds the totals of every engagement of tk at or before at.
CREATE TABLE eng (tk INTEGER NOT NULL, at INTEGER NOT NULL, cc INTEGER NOT NULL, cs INTEGER NOT NULL,
    cb INTEGER NOT NULL, PRIMARY KEY (tk, at)) WITHOUT ROWID;
CREATE VIRTUAL TABLE link_fts USING fts5(search, content='', detail=none,
    tokenize='trigram case_sensitive 1');
CREATE VIRTUAL TABLE qr_fts USING fts5(search, content='', detail=none,
    tokenize='trigram case_sensitive 1');
-- How many items hold each trigram of the index (its fts5vocab, kept): a query asks for its rarest few.
-- Optional: a store without them (built before they were added) counts trigrams as it goes.
CREATE TABLE link_grams (gram TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE qr_grams (gram TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
-- The words of the items' search texts (search.WordIndex), each after the character before it (`pre`;
-- '' at a field's start): when at most search.WORD_POSTED_MAX items hold a (pre, word) pair, a row for
-- each item and each of the word's leads there (the text just before it, reversed, search.word_leads);
-- the pairs held by more items are listed in _common. The build adds the index by lead, word (_lead).
-- Optional, like the gram tables.
CREATE TABLE link_words (pre TEXT NOT NULL, word TEXT NOT NULL, k INTEGER NOT NULL, lead TEXT NOT NULL,
    PRIMARY KEY (pre, word, k, lead)) WITHOUT ROWID;
CREATE TABLE link_words_common (pre TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (pre, word)) WITHOUT ROWID;
CREATE TABLE qr_words (pre TEXT NOT NULL, word TEXT NOT NULL, k INTEGER NOT NULL, lead TEXT NOT NULL,
    PRIMARY KEY (pre, word, k, lead)) WITHOUT ROWID;
CREATE TABLE qr_words_common (pre TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (pre, word)) WITHOUT ROWID;
-- The key set of each common tag, campaign and domain value (keysets.py): bit k of the little-endian blob
-- is set when the value names the item of key k. Optional: a store without it reads a value's keys.
CREATE TABLE key_sets (kind TEXT NOT NULL, field TEXT NOT NULL, params TEXT NOT NULL, bits BLOB NOT NULL,
    PRIMARY KEY (kind, field, params));
"""

INDEXES = """
CREATE UNIQUE INDEX groups_guid ON groups (guid);
CREATE UNIQUE INDEX campaigns_guid ON campaigns (gkey, guid);
CREATE UNIQUE INDEX tokens_token ON tokens (token);
CREATE UNIQUE INDEX links_id ON links (id);
CREATE INDEX links_walk ON links (gkey, archived, created DESC, id);
CREATE INDEX links_walk_all ON links (gkey, created DESC, id);
CREATE INDEX links_domain ON links (gkey, domain_lc);
CREATE UNIQUE INDEX qrs_id ON qrs (id);
CREATE INDEX qrs_walk ON qrs (gkey, archived, created DESC, id);
CREATE INDEX qrs_walk_all ON qrs (gkey, created DESC, id);
CREATE INDEX qrs_domain ON qrs (gkey, domain_lc);
CREATE INDEX link_tags_tag ON link_tags (gkey, tag, item);
CREATE INDEX qr_tags_tag ON qr_tags (gkey, tag, item);
CREATE INDEX link_campaigns_campaign ON link_campaigns (ckey, item);
INSERT INTO link_fts (link_fts) VALUES ('optimize');
INSERT INTO qr_fts (qr_fts) VALUES ('optimize');
CREATE VIRTUAL TABLE temp.link_fts_vocab USING fts5vocab(main, link_fts, 'row');
INSERT INTO link_grams (gram, docs) SELECT term, doc FROM temp.link_fts_vocab;
DROP TABLE temp.link_fts_vocab;
CREATE VIRTUAL TABLE temp.qr_fts_vocab USING fts5vocab(main, qr_fts, 'row');
INSERT INTO qr_grams (gram, docs) SELECT term, doc FROM temp.qr_fts_vocab;
DROP TABLE temp.qr_fts_vocab;
"""
