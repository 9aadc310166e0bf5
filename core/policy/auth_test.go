package policy

import (
	"strings"
	"testing"

	"github.com/mcplex/mcplex/core/config"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	tests := []struct {
		name, key         string
		ok                bool
		role, description string
	}{
		{"plain key", keyDev, true, "developer", "Dev team key"},
		{"sha256 key", keyRO, true, "readonly", "Read-only key"},
		{"gateway key", keyGateway, true, "", "gateway.api_key"},
		{"wrong key", "sk-dev-team-abc124", false, "", ""},
		{"prefix of a key", keyDev[:len(keyDev)-1], false, "", ""},
		{"key plus suffix", keyDev + "x", false, "", ""},
		{"empty", "", false, "", ""},
		{"the digest itself", "sha256:" + sha(keyRO), false, "", ""},
		{"the hex digest", sha(keyRO), false, "", ""},
		{"case differs", strings.ToUpper(keyDev), false, "", ""},
		{"bearer prefix is not stripped", "Bearer " + keyDev, false, "", ""},
	}
	for _, tc := range tests {
		id, ok := e.Authenticate(tc.key)
		if ok != tc.ok || id.Role != tc.role || id.Description != tc.description {
			t.Errorf("%s: Authenticate = %+v, %v", tc.name, id, ok)
			continue
		}
		if !ok {
			if id != (Identity{}) {
				t.Errorf("%s: failed authentication returned %+v", tc.name, id)
			}
			continue
		}
		if want := "key:" + sha(tc.key)[:8]; id.ID != want || !id.Authenticated {
			t.Errorf("%s: id %+v, want ID %s", tc.name, id, want)
		}
		if strings.Contains(id.ID+id.Description+id.Role, tc.key) {
			t.Errorf("%s: identity contains the key: %+v", tc.name, id)
		}
	}
	if !e.KeysConfigured() {
		t.Error("KeysConfigured = false")
	}
}

func TestAuthenticateGatewayKeyInAPIKeys(t *testing.T) {
	t.Parallel()
	// The [gateway] api_key listed in [api_keys] (here by digest) takes that role.
	e := engine(t, `
[gateway]
api_key = "sha256:`+sha("sk-main")+`"

[security]
enable_rbac = true

[roles.admin]
allowed_tools = ["*"]

[api_keys."sk-main"]
role = "admin"
description = "main key"
`)
	id := who(t, e, "sk-main")
	if id.Role != "admin" || id.Description != "main key" {
		t.Errorf("identity %+v, want the [api_keys] entry", id)
	}
}

func TestNoKeys(t *testing.T) {
	t.Parallel()
	e, err := New(&config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.KeysConfigured() {
		t.Error("KeysConfigured = true")
	}
	if id, ok := e.Authenticate("anything"); ok {
		t.Errorf("authenticated %+v with no keys", id)
	}
}

// TestEngineHoldsNoKey checks that New keeps digests only.
func TestEngineHoldsNoKey(t *testing.T) {
	t.Parallel()
	e := engine(t, seedTOML)
	for _, k := range e.keys {
		for _, secret := range []string{keyDev, keyAdmin, keyOps, keyNoHub, keyGateway} {
			if strings.Contains(k.id.ID+k.id.Description+k.id.Role, secret) {
				t.Errorf("entry %+v holds key %q", k.id, secret)
			}
		}
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	e := engine(b, seedTOML)
	for b.Loop() {
		e.Authenticate("sk-not-a-key-at-all")
	}
}

func TestIdentityIDCollision(t *testing.T) {
	t.Parallel()
	// These two keys share the first 4 bytes of their SHA-256 (345f3033).
	_, err := New(&config.Config{APIKeys: map[string]config.APIKey{
		"sk-collide-67354": {Role: "a"}, "sk-collide-73797": {Role: "b"},
	}})
	if err == nil || !strings.Contains(err.Error(), "key:345f3033") {
		t.Fatalf("New = %v, want an identity collision error", err)
	}
	if strings.Contains(err.Error(), "sk-collide") {
		t.Errorf("error shows a key: %v", err)
	}
}

// TestReloadRevokes: an Identity kept from before a reload has no rights
// its key lost (security.md A2.3).
func TestReloadRevokes(t *testing.T) {
	t.Parallel()
	old := engine(t, seedTOML)
	dev := who(t, old, keyDev)
	removed := engine(t, strings.Replace(seedTOML, `[api_keys."`+keyDev+`"]`, `[api_keys."sk-other"]`, 1))
	if d := removed.Decide(dev, ActionCall, tool("github", "x")); d.Allow || d.Rule != RuleNotIssued {
		t.Errorf("key removed: %+v", d)
	}
	demoted := engine(t, strings.Replace(seedTOML, "role = \"developer\"\n", "role = \"readonly\"\n", 1))
	if d := demoted.Decide(dev, ActionCall, tool("github", "list_x")); d.Allow || d.Rule != RuleStaleRole {
		t.Errorf("role changed: %+v", d)
	}
	if id := who(t, demoted, keyDev); id.ID != dev.ID || id.Role != "readonly" {
		t.Errorf("re-authenticated as %+v", id)
	}
}
