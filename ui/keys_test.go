package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func fixedKey(t *testing.T) (plain, configKey string) {
	t.Helper()
	plain = "mcplex_" + strings.Repeat("k", 32)
	sum := sha256.Sum256([]byte(plain))
	configKey = "sha256:" + hex.EncodeToString(sum[:])
	old := newAPIKey
	newAPIKey = func() (string, string, error) { return plain, configKey, nil }
	t.Cleanup(func() { newAPIKey = old })
	return plain, configKey
}

func TestKeysGenerateStoresTheHashAndShowsTheKeyOnce(t *testing.T) {
	plain, configKey := fixedKey(t)
	f := rolesFake(t)
	v, w := newTestRoles(t, f)
	v.tabs.SelectIndex(1)
	k := v.keys
	k.genRole.SetSelected("readonly")
	test.Type(k.genDesc, "laptop")
	test.Tap(k.generate)
	v.jobs.Wait()

	c := fakeConfig(t, f)
	got, ok := c.APIKeys[configKey]
	if !ok || got.Role != "readonly" || got.Description != "laptop" || len(c.APIKeys) != 2 {
		t.Fatalf("api_keys = %+v", c.APIKeys)
	}
	for key := range c.APIKeys {
		if strings.Contains(key, plain) {
			t.Fatal("the plain key is in the config")
		}
	}
	if k.newKey == nil || k.newKey.text.Text != plain {
		t.Fatal("the plain key is not shown")
	}
	test.AssertRendersToMarkup(t, "roles_new_key.xml", w.Canvas())
	test.Tap(k.newKey.copy)
	if clip := fyne.CurrentApp().Clipboard().Content(); clip != plain {
		t.Errorf("clipboard %q", clip)
	}
	test.Tap(k.newKey.done)
	if k.newKey.text.Text != "" {
		t.Error("the key is still on screen after Done")
	}
	test.AssertRendersToMarkup(t, "roles_keys.xml", w.Canvas())
}

func TestKeysChangeRoleAndRevoke(t *testing.T) {
	f := rolesFake(t)
	v, _ := newTestRoles(t, f)
	k := v.keys
	k.table.Select(widget.TableCellID{Row: 0, Col: 1})
	if k.key != ciKey || k.keyRole.Selected != "developer" {
		t.Fatalf("selected %q with role %q", k.key, k.keyRole.Selected)
	}
	k.keyRole.SetSelected("readonly")
	test.Tap(k.saveKey)
	v.jobs.Wait()
	if r := fakeConfig(t, f).APIKeys[ciKey].Role; r != "readonly" {
		t.Fatalf("role %q after save", r)
	}

	test.Tap(k.revoke)
	test.Tap(v.confirm.ok)
	v.jobs.Wait()
	if n := len(fakeConfig(t, f).APIKeys); n != 0 || len(k.ids) != 0 {
		t.Errorf("%d keys in the file, %d listed after revoke", n, len(k.ids))
	}
}

func TestShortKey(t *testing.T) {
	for in, want := range map[string]string{
		ciKey:                "sha256:abab…",
		"${MCPLEX_KEY}":      "plain key (not hashed)",
		"sk-dev-team-abc123": "plain key (not hashed)",
	} {
		if got := shortKey(in); got != want {
			t.Errorf("shortKey(%q) = %q, want %q", in, got, want)
		}
	}
}
