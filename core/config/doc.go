// Package config owns the MCPlex configuration: the typed form of mcplex.toml
// (the seed's keys, kept stable so seed config files load unchanged), its
// defaults, ${VAR} expansion, validation, and the helpers that write config
// files (the generated default file, atomic writes with a .bak copy, and
// Encode for the GUI).
//
// Loading is a pure function of the file contents and the environment:
// [Load] and [Parse] decode TOML over [Default], expand ${VAR} and ${VAR:-default}
// in string values (never in comments or key names, except the names of
// [api_keys] tables), resolve relative paths against the config file's
// directory, and validate everything. Every problem is reported at once, as
// an errors.Join of [*Error] values that print as
//
//	FILE:LINE: KEY: MESSAGE
//
// for example
//
//	mcplex.toml:12: servers[1].url: must be an http or https URL, got "ftp://x"
//
// A loaded *Config is an immutable value: callers share it and never modify
// it; a reload produces a new one.
//
// The package does no I/O except in Load, EnsureDefault and WriteFile, starts
// no goroutines, and imports nothing from the rest of MCPlex.
package config
