package ui

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/mcplex/mcplex/app"
)

// A window's form is filled from the file once and saved later, while the
// file may change meanwhile (another window, a hand edit, an import). The
// helpers here let a save apply only what the user changed and refuse when
// the file changed the same value since the form was filled.

// notAppliedMarker is in UpdateConfig's error when the file was written but
// the running gateway could not apply it (core/admin's UpdateConfig).
const notAppliedMarker = "but applying it failed"

// savedNotApplied returns the message to show, and true, when err says the
// file was saved but not applied: the form is then saved, not dirty.
func savedNotApplied(err error) (string, bool) {
	if err == nil || !strings.Contains(err.Error(), notAppliedMarker) {
		return "", false
	}
	return "Saved, but not applied: " + err.Error(), true
}

// conflictError says that key changed in the file since the form was filled.
func conflictError(key string) error {
	return fmt.Errorf("%s was changed in the file since this window loaded it; Revert to file to see it", key)
}

// settingsField is one config key the settings form manages.
type settingsField struct {
	key   string
	same  func(a, b *app.Config) bool // equal as the form shows them
	apply func(dst, src *app.Config)  // copies the value from src
}

func valueField[T comparable](key string, p func(*app.Config) *T) settingsField {
	return settingsField{key,
		func(a, b *app.Config) bool { return *p(a) == *p(b) },
		func(dst, src *app.Config) { *p(dst) = *p(src) }}
}

// textField compares trimmed, as the form reads a text entry.
func textField(key string, p func(*app.Config) *string) settingsField {
	return settingsField{key,
		func(a, b *app.Config) bool { return strings.TrimSpace(*p(a)) == strings.TrimSpace(*p(b)) },
		func(dst, src *app.Config) { *p(dst) = *p(src) }}
}

// linesField compares the non-empty trimmed lines, as the form reads them.
func linesField(key string, p func(*app.Config) *[]string) settingsField {
	return settingsField{key,
		func(a, b *app.Config) bool {
			return slices.Equal(viewLines(strings.Join(*p(a), "\n")), viewLines(strings.Join(*p(b), "\n")))
		},
		func(dst, src *app.Config) { *p(dst) = *p(src) }}
}

// settingsFields are the keys of [gateway], [router], [security] and
// [cache] the settings form shows.
var settingsFields = []settingsField{
	textField("gateway.listen", func(c *app.Config) *string { return &c.Gateway.Listen }),
	textField("gateway.dashboard", func(c *app.Config) *string { return &c.Gateway.Dashboard }),
	valueField("gateway.hot_reload", func(c *app.Config) *bool { return &c.Gateway.HotReload }),
	textField("gateway.name", func(c *app.Config) *string { return &c.Gateway.Name }),
	valueField("gateway.rate_limit_rps", func(c *app.Config) *int { return &c.Gateway.RateLimitRPS }),
	linesField("gateway.allowed_hosts", func(c *app.Config) *[]string { return &c.Gateway.AllowedHosts }),
	valueField("gateway.max_request_bytes", func(c *app.Config) *int64 { return &c.Gateway.MaxRequestBytes }),
	valueField("gateway.session_idle_timeout_seconds", func(c *app.Config) *int { return &c.Gateway.SessionIdleTimeoutSeconds }),
	valueField("gateway.max_sessions_per_client", func(c *app.Config) *int { return &c.Gateway.MaxSessionsPerClient }),
	valueField("gateway.shutdown_grace_seconds", func(c *app.Config) *int { return &c.Gateway.ShutdownGraceSeconds }),
	valueField("router.mode", func(c *app.Config) *string { return &c.Router.Mode }),
	valueField("router.strategy", func(c *app.Config) *string { return &c.Router.Strategy }),
	valueField("router.top_k", func(c *app.Config) *int { return &c.Router.TopK }),
	valueField("router.similarity_threshold", func(c *app.Config) *float64 { return &c.Router.SimilarityThreshold }),
	valueField("router.cache_embeddings", func(c *app.Config) *bool { return &c.Router.CacheEmbeddings }),
	valueField("security.enable_rbac", func(c *app.Config) *bool { return &c.Security.EnableRBAC }),
	valueField("security.enable_audit_log", func(c *app.Config) *bool { return &c.Security.EnableAuditLog }),
	textField("security.audit_log_path", func(c *app.Config) *string { return &c.Security.AuditLogPath }),
	valueField("security.max_log_size_mb", func(c *app.Config) *int { return &c.Security.MaxLogSizeMB }),
	valueField("security.audit_arguments", func(c *app.Config) *bool { return &c.Security.AuditArguments }),
	valueField("security.tool_changes", func(c *app.Config) *string { return &c.Security.ToolChanges }),
	valueField("cache.enabled", func(c *app.Config) *bool { return &c.Cache.Enabled }),
	valueField("cache.ttl_seconds", func(c *app.Config) *int { return &c.Cache.TTLSeconds }),
	valueField("cache.max_entries", func(c *app.Config) *int { return &c.Cache.MaxEntries }),
	linesField("cache.patterns", func(c *app.Config) *[]string { return &c.Cache.Patterns }),
}

// mergeSettings applies to cur (the file now) the fields the user changed
// in the form: those where want (the form) differs from base (the file the
// form was filled from). A field the user changed that the file also
// changed since, to another value, is a conflict: nothing is applied.
func mergeSettings(cur, base, want *app.Config) error {
	var changed []settingsField
	for _, f := range settingsFields {
		if f.same(base, want) {
			continue
		}
		if !f.same(base, cur) && !f.same(cur, want) {
			return conflictError(f.key)
		}
		changed = append(changed, f)
	}
	for _, f := range changed {
		f.apply(cur, want)
	}
	return nil
}

// sameServer reports whether a and b are the same server entry, an empty
// list or map being the same as none.
func sameServer(a, b app.ServerConfig) bool {
	return reflect.DeepEqual(normServer(a), normServer(b))
}

func normServer(s app.ServerConfig) app.ServerConfig {
	for _, l := range []*[]string{&s.Args, &s.AllowedRoles, &s.AllowedTools, &s.BlockedTools} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	for _, m := range []*map[string]string{&s.Env, &s.Headers} {
		if len(*m) == 0 {
			*m = nil
		}
	}
	return s
}

// sameSettings reports whether a and b agree on every key the settings
// form shows.
func sameSettings(a, b *app.Config) bool {
	for _, f := range settingsFields {
		if !f.same(a, b) {
			return false
		}
	}
	return true
}
