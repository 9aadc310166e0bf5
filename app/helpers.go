package app

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/mcplex/mcplex/core/policy"
)

// NewAPIKey makes a random API key. key is shown to the user once;
// configKey ("sha256:HEX") is what goes into [api_keys], so the config
// never holds the key itself.
func NewAPIKey() (key, configKey string, err error) {
	key, err = newKey()
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256([]byte(key))
	return key, "sha256:" + hex.EncodeToString(sum[:]), nil
}

// RolePattern is a compiled allowed_tools / blocked_tools pattern of a role.
type RolePattern = policy.Pattern

// CompileRolePattern compiles a role pattern with the policy's own rules
// (block selects blocked_tools semantics), for live previews. A Tool's ID
// is "server/original-name": match it with MatchTool(server, name).
func CompileRolePattern(src string, block bool) (*RolePattern, error) {
	return policy.CompilePattern(src, block)
}
