// Package audit writes the gateway's audit trail: one JSON object per line
// (JSON Lines) in a size-rotated file, linked into a SHA-256 hash chain that
// Verify checks. It also owns the redaction of secrets from tool arguments
// (Redact) and the canonical argument digest (Digest).
//
// The package performs file I/O only inside Logger and Verify, starts no
// goroutines and imports nothing outside the standard library.
//
// # Records
//
// Every record is an Event encoded with encoding/json, so control characters
// in any field (a tool name holding "\n{\"decision\":\"allow\"}") are escaped
// and can never start a second record. Logger fills in the timestamp, a
// sequence number ("seq", counting from 1 across rotations and restarts) and
// "prev", the hex SHA-256 of the previous line (without its newline). The
// first record ever written has no "prev". Arguments are never written as
// received: Log replaces secret-looking values with "[REDACTED]" and derives
// args_digest from the redacted form, so a digest cannot be brute-forced to
// recover a redacted password.
//
// # Writing and rotation
//
// Log encodes outside the lock, then under one mutex assigns seq and prev,
// rotates if the record would push the file past the size limit, and hands
// the complete line to a single Write on a file opened with O_APPEND. For a
// regular file that is one write(2). Rotation renames audit.jsonl to
// audit.jsonl.1 (shifting .1 to .2 and so on, deleting the oldest) while
// the lock is held, so no record is lost, duplicated or split between files,
// and the chain continues: the first line of the new file carries the hash of
// the last line of the previous one. Open resumes the chain (seq and prev)
// from the last line on disk.
//
// # Durability
//
// By default Log does not fsync. A record for which Log returned nil is in
// the kernel, so it survives the gateway crashing or being killed with
// SIGKILL. On power loss or a kernel crash, records not yet written back by
// the kernel can be lost (on Linux typically up to ~30 s, the dirty page
// expiry). Logger fsyncs when it rotates and when it closes, and callers may
// call Sync periodically to tighten that bound. With Options.Sync, Log
// fsyncs every record before returning, so an acknowledged record survives
// power loss as well, at the cost of one fsync per record serialized by the
// lock.
//
// Lines are complete or absent. A failed or partial write (for example
// ENOSPC) is cut back to the last complete line before Log returns the error,
// and Log refuses to append after a partial line it could not remove. Open
// drops an incomplete last line left by a crash (a power loss can leave one
// despite the single write) and keeps a complete line that only lacks its
// newline.
//
// # Failure policy
//
// Log never panics. It returns the error (and counts it in Errors) when the
// record could not be written. Whether the gateway then fails the call
// (closed) or proceeds with a loud metric (open) is the caller's decision.
// A failed rotation whose record was still written is counted and logged
// but does not fail Log.
//
// # What the chain proves
//
// Verify detects a line that was edited, inserted or deleted, a truncated
// tail, and a gap between rotated files, as long as the tamperer did not
// rewrite every later line too. The chain is not keyed: someone who can
// rewrite the file can recompute it from the edit onwards. Recording
// Report.Head elsewhere (a ticket, a remote log, a later verify run) anchors
// it; whole lines removed from the very end are only detectable that way.
// The oldest file's first line is the trust anchor; Report.Genesis tells
// whether it is the first record ever written.
//
// # External rotation
//
// With logrotate, use "create" mode (not copytruncate) and have the gateway
// call Reopen after the rename. Records written between the rename and
// Reopen land in the renamed file; none are lost, and the chain continues
// into the new file.
package audit
