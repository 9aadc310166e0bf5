// Package execpath finds commands the way the user's terminal would, for a
// process that did not inherit the terminal's PATH.
//
// Apps started from the macOS Dock, a Linux desktop launcher or the Windows
// Start menu get a minimal PATH, so "npx", "uvx" or "node" installed through
// Homebrew, nvm, Volta, uv or npm are not found although they work in a shell.
// [LookPath] searches PATH and then those usual install locations;
// [AugmentPath] extends a child's PATH with them so that, for example, a
// spawned npx can find node.
//
// The package only reads the filesystem and the environment it is given; it
// never starts a shell, never changes the process environment and keeps no
// state. Per-OS knowledge lives in execpath_unix.go and execpath_windows.go.
package execpath
