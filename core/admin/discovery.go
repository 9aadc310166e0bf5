package admin

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcplex/mcplex/core/atomicfile"
)

// The discovery files a serving process writes for local clients.
const (
	TokenFile     = "admin.token" // the bearer token, mode 0600
	DiscoveryFile = "admin.json"  // {"url", "pid", "version"}
)

// Version is this program's version, written to the discovery file. main
// sets it, as it sets upstream.Version.
var Version = "dev"

// discovery is the content of [DiscoveryFile].
type discovery struct {
	URL     string `json:"url"`
	PID     int    `json:"pid"`
	Version string `json:"version"`
}

// DefaultDir returns where the discovery files live: $MCPLEX_ADMIN_DIR if
// set, else mcplex under os.UserConfigDir (next to the default config).
func DefaultDir() (string, error) {
	if dir := os.Getenv("MCPLEX_ADMIN_DIR"); dir != "" {
		return dir, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the user config directory: %w", err)
	}
	return filepath.Join(dir, "mcplex"), nil
}

// WriteDiscovery makes a new random token and writes it, with url (the
// admin API's base, http://127.0.0.1:PORT), this process's id and
// [Version], into dir for local clients to find. dir is created with mode
// 0700 if missing; both files get mode 0600 and are replaced atomically, so
// a reader never sees half a token.
//
// cleanup removes the files, but only those that still hold what this call
// wrote: a newer process that took over dir keeps its own.
func WriteDiscovery(dir, url string) (token string, cleanup func(), err error) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(raw[:])
	info, err := json.Marshal(discovery{URL: url, PID: os.Getpid(), Version: Version})
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("creating the admin directory: %w", err)
	}
	files := []struct {
		path string
		data []byte
	}{
		{filepath.Join(dir, TokenFile), []byte(token + "\n")},
		{filepath.Join(dir, DiscoveryFile), append(info, '\n')},
	}
	remove := func() {
		for _, f := range files {
			if got, err := os.ReadFile(f.path); err == nil && bytes.Equal(got, f.data) {
				_ = os.Remove(f.path) // best effort: a stale file only makes a client's first dial fail
			}
		}
	}
	for _, f := range files {
		if err := atomicfile.Write(f.path, f.data, 0o600); err != nil {
			remove()
			return "", nil, fmt.Errorf("writing %s: %w", f.path, err)
		}
	}
	return token, remove, nil
}

// ErrNoService means no discovery files were found: no service with an
// admin API runs for this user (or it left without a trace).
var ErrNoService = errors.New("no MCPlex service is announced")

// ReadDiscovery returns the admin API's base URL and token as the files in
// dir name them. Without them it returns an error matching [ErrNoService].
func ReadDiscovery(dir string) (url, token string, err error) {
	info, err := os.ReadFile(filepath.Join(dir, DiscoveryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%w in %s", ErrNoService, dir)
	}
	if err != nil {
		return "", "", err
	}
	var d discovery
	if err := json.Unmarshal(info, &d); err != nil || d.URL == "" {
		return "", "", fmt.Errorf("%s: not a discovery file", filepath.Join(dir, DiscoveryFile))
	}
	raw, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("%w in %s (no token file)", ErrNoService, dir)
	}
	if err != nil {
		return "", "", err
	}
	return d.URL, strings.TrimSpace(string(raw)), nil
}
