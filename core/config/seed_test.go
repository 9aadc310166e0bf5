package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSeedSnippets loads every TOML snippet of the seed document
// (/work/shared/spec/mcplex-seed.md, copied verbatim to testdata/seed) and
// checks some decoded values: the seed's config files must keep loading.
func TestSeedSnippets(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "ghp_test")
	t.Setenv("MCPLEX_API_KEY", "secret-key")
	dir, err := filepath.Abs(filepath.Join("testdata", "seed"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(t *testing.T, c *Config){
		"minimal.toml": func(t *testing.T, c *Config) {
			check(t, "dashboard", c.Gateway.Dashboard, "127.0.0.1:9090")
			check(t, "strategy", c.Router.Strategy, "semantic")
			check(t, "mode (default)", c.Router.Mode, "metatool")
			check(t, "servers", len(c.Servers), 2)
			check(t, "args", c.Servers[0].Args, []string{"-y", "@modelcontextprotocol/server-filesystem", "/tmp"})
			check(t, "memory stdio", c.Servers[1].IsStdio(), true)
			check(t, "timeout (default)", c.Servers[1].TimeoutSeconds, 60)
			check(t, "enabled (default)", c.Servers[1].IsEnabled(), true)
		},
		"router.toml": func(t *testing.T, c *Config) {
			check(t, "top_k", c.Router.TopK, 5)
			check(t, "threshold", c.Router.SimilarityThreshold, 0.3)
			check(t, "cache_embeddings", c.Router.CacheEmbeddings, true)
		},
		"rbac.toml": func(t *testing.T, c *Config) {
			check(t, "rbac", c.Security.EnableRBAC, true)
			check(t, "roles", sortedKeys(c.Roles), []string{"admin", "developer", "readonly"})
			check(t, "readonly blocked", c.Roles["readonly"].BlockedTools, []string{"*/delete_*", "*/drop_*"})
		},
		"blocklist.toml": func(t *testing.T, c *Config) {
			check(t, "url", c.Servers[0].URL, "http://localhost:8080/mcp")
			check(t, "stdio", c.Servers[0].IsStdio(), false)
			check(t, "blocked", c.Servers[0].BlockedTools, []string{"drop_table", "delete_*", "truncate_*"})
		},
		"cache.toml": func(t *testing.T, c *Config) {
			check(t, "enabled", c.Cache.Enabled, true)
			check(t, "ttl", c.Cache.TTLSeconds, 300)
			check(t, "max_entries", c.Cache.MaxEntries, 1000)
		},
		"cache_patterns.toml": func(t *testing.T, c *Config) {
			check(t, "patterns", c.Cache.Patterns, []string{"my_custom_tool", "expensive_*"})
			check(t, "enabled (default)", c.Cache.Enabled, false)
		},
		"api_keys.toml": func(t *testing.T, c *Config) {
			check(t, "dev role", c.APIKeys["sk-dev-team-abc123"], APIKey{Role: "developer", Description: "Dev team key"})
			check(t, "admin role", c.APIKeys["sk-admin-xyz789"].Role, "admin")
		},
		"env.toml": func(t *testing.T, c *Config) {
			check(t, "env", c.Servers[0].Env, map[string]string{"GITHUB_TOKEN": "ghp_test"})
		},
		"api_key.toml": func(t *testing.T, c *Config) {
			check(t, "api_key", c.Gateway.APIKey, "secret-key")
		},
		"rate_limit.toml": func(t *testing.T, c *Config) {
			check(t, "rps", c.Gateway.RateLimitRPS, 50)
		},
		"audit.toml": func(t *testing.T, c *Config) {
			check(t, "audit", c.Security.EnableAuditLog, true)
			check(t, "path", c.Security.AuditLogPath, filepath.Join(dir, "logs", "audit.jsonl"))
			check(t, "size", c.Security.MaxLogSizeMB, 100)
		},
		"network.toml": func(t *testing.T, c *Config) {
			check(t, "listen", c.Gateway.Listen, "127.0.0.1:3100")
			check(t, "dashboard", c.Gateway.Dashboard, "127.0.0.1:9090")
		},
		"agentlens.toml": func(t *testing.T, c *Config) {
			check(t, "agentlens", c.AgentLens, AgentLens{Enabled: true, URL: "http://127.0.0.1:3000/api/ingest", SessionName: "MCPlex Gateway"})
		},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := tests[filepath.Base(f)]; !ok {
			t.Errorf("%s has no test case", f)
		}
	}
	for _, name := range sortedKeys(tests) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			c, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			check(t, "Path", c.Path, path)
			tests[name](t, c)
		})
	}
}

// TestSeedSnippetsUnchanged guards against editing the copies: each
// testdata/seed file must appear verbatim in the seed document.
func TestSeedSnippetsUnchanged(t *testing.T) {
	seed, err := os.ReadFile("/work/shared/spec/mcplex-seed.md")
	if err != nil {
		t.Skipf("seed document not available: %v", err)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "seed", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(seed), string(data)) {
			t.Errorf("%s is not a verbatim snippet of the seed", f)
		}
	}
}

// check compares one decoded value.
func check[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}
