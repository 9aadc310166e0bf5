// Package atomicfile replaces files so that a crash leaves either the old
// content or the new one, never a torn file: write a temporary file in the
// same directory, fsync it, rename it over the target, fsync the directory.
// MCPlex writes its config, tool pins and client configs this way.
package atomicfile
