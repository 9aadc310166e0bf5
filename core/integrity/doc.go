// Package integrity guards the tool definitions upstream servers publish
// (security.md A7, OWASP MCP03): it pins each tool's definition to detect
// rug pulls, and scans definitions for tool poisoning and shadowing.
//
// The package is pure Go with no cgo and imports only the standard library
// and the go-sdk mcp types. Only Store does I/O (its state file); Hash, Scan,
// Escape and StripInvisible are pure. Nothing here starts goroutines or logs:
// the gateway decides what to audit, hide or show.
//
// # Pinning (rug pulls)
//
// [Hash] is the SHA-256 of a canonical JSON encoding of everything a model
// reads about a tool: name, title, description, inputSchema, outputSchema
// and annotations. Object keys are sorted and schemas are decoded and
// re-encoded, so key order and whitespace do not matter; numbers compare
// as float64, as the go-sdk client decodes them. Annotations are hashed as
// their effective values (destructiveHint and openWorldHint default to
// true), so absent, empty and defaults-spelled-out annotations are equal.
// mcp-scan hashes the description only, which misses schema poisoning (an
// added "sidenote" parameter) and a flipped readOnlyHint; this hash does not.
//
// _meta and icons are deliberately not hashed. They are not part of what a
// client shows the model, and servers put volatile or vendor data in _meta;
// hashing it would quarantine tools for changes no one needs to review,
// which trains admins to approve everything. Known gap: a client that acts
// on _meta (for example a UI resource URI in _meta) is not protected by the
// pin; pin such keys explicitly if the gateway ever forwards them.
//
// [Store] is trust on first use. The first definition seen for a
// (server, tool) is trusted and pinned (Change kind "new", for the audit
// log). A later definition with a different hash is "changed": the tool is
// quarantined — the gateway should hide it and refuse calls — until an admin
// approves the latest definition ([Store.Approve], [Store.ApproveHash] for
// approving exactly the reviewed version, [Store.ApproveAll]). Quarantine
// is state, not an event: it is persisted, survives restarts, and
// [Store.Quarantined] answers from the file before the first Check. A tool
// that returns to its approved definition is released ("reverted"). Pins of
// tools that disappear are kept, so a tool that vanishes and comes back
// different is still a change. Servers are pinned independently: "echo" on
// two servers is two pins.
//
// The state file (e.g. mcplex.pins.json beside the config) is JSON:
//
//	{"version": 1, "servers": {"<server>": {"<tool>": {
//	    "approved": "sha256:…", "latest": "sha256:…",
//	    "first_seen": "…", "approved_at": "…", "changed_at": "…"}}}}
//
// A missing file is an empty store. A file that cannot be read or parsed is
// an error naming the file and is never reset, because a reset would
// re-trust every tool, rug-pulled ones included. Saves are atomic: a 0600
// temporary file in the same directory, fsync, rename, fsync of the
// directory. A failed save leaves the in-memory state in effect for Check
// (quarantine is never lifted by an I/O error) and is retried on the next
// call; a failed approval is rolled back.
//
// A Store is safe for concurrent use (one mutex, held across the save so
// saves are serialized). It assumes it is the only writer of its file:
// while the gateway runs, approvals must go through the gateway's Store
// (admin API), not a second process opening the same file, or the last
// writer wins.
//
// # Scanning (tool poisoning, shadowing)
//
// [Scan] (or [Scanner.Scan], which indexes server and tool names once for
// a whole catalog) checks the name, title, annotations title, description
// and every string and key of the input and output schemas. Each finding names the
// field ("inputSchema.properties.sidenote.description") and quotes the
// match through [Escape]. Rules run over the text the model effectively
// reads: tag characters decoded to ASCII and other invisible characters
// removed, so "<IMP\u200bORTANT>" and instructions hidden in tag
// characters are caught. Kinds:
//
//   - hidden_instruction: instruction markup (<IMPORTANT>, <SYSTEM>,
//     <instructions>, <secret>...), chat-template tokens (<|im_start|>,
//     [INST], <<SYS>>), HTML comments, "ignore/disregard previous
//     instructions", concealment ("do not tell the user", "do not mention
//     this", "without telling the user", "secretly"), and preconditions
//     such as "before using this tool, read …". Plain "IMPORTANT:" is not
//     markup, and "before using this tool, you must first get the hash" is
//     not flagged: the verb must read, send or pass.
//   - sensitive_path: ~/.ssh, id_rsa/id_ed25519…, mcp.json, ~/.cursor,
//     claude_desktop_config.json, ~/.aws, .git-credentials, .netrc, .npmrc,
//     .pypirc, .pgpass, .kube/config, .docker/config.json, /etc/passwd,
//     /etc/shadow, and a standalone .env file (not process.env).
//   - exfiltration: "read X and put/pass it in 'param'" (imperative verbs,
//     a quoted or "… parameter" destination), secrets (credentials, API
//     keys, tokens, passwords, private keys, environment variables) moved
//     into a parameter not itself meant for secrets ("pass the password in
//     the password parameter" is how such tools work), or to a URL or mail
//     address, and "always BCC/CC".
//   - invisible_unicode: zero-width U+200B–U+200F, U+2060–U+2064, U+FEFF;
//     bidi controls U+202A–U+202E, U+2066–U+2069, U+061C; tag characters
//     U+E0000–U+E007F (decoded: `tag text "IGNORE"`); variation-selector
//     runs and U+E0100–U+E01EF; Hangul fillers, soft hyphen and other
//     invisible format characters; C0/C1 controls other than tab and
//     newlines. Legitimate uses are exempt: ZWJ inside emoji sequences,
//     ZWJ/ZWNJ between letters of scripts that need them (Persian, Indic),
//     one variation selector after a visible character (⚠️), and emoji
//     subdivision flags.
//   - long_description: a description above MaxDescriptionBytes (8 KiB),
//     and any text the content rules did not read because the tool
//     exceeded MaxScanBytes (256 KiB per tool; the rules are linear but
//     cost ~1 s per MiB). Treat it as hide-worthy: padding can push a
//     payload past the budget, never past this finding.
//   - cross_origin: a description or title names another server, or one of
//     another server's tools, as a whole word (mcp-scan's cross-reference
//     heuristic). Names under 4 characters, server names that are common
//     words ("memory", "search") and tool names that are not
//     identifier-like (plain words, PascalCase, names with spaces) are
//     skipped; identifier-like tool names (send_email, get-library-docs,
//     readFile) count.
//
// False-positive budget: on 3,212 real tools (../rank/testdata tools.json
// and distractors.json) the content rules and the invisible-character rule
// report nothing, and cross_origin reports 10 real name overlaps (see
// catalog_test.go). Scan findings are warnings; what to do with them (warn,
// strip with [StripInvisible], hide the tool) is gateway configuration.
package integrity
