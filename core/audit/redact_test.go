package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

const (
	ghToken  = "ghp_0123456789abcdefghijABCDEFGHIJ012345"
	awsKeyID = "AKIAIOSFODNN7EXAMPLE"
	jwt      = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"nested object", `{"a":{"b":{"password":"p4ss","user":"bob"}}}`, `{"a":{"b":{"password":"[REDACTED]","user":"bob"}}}`},
		{"arrays", `[{"token":"x1234567"},"` + awsKeyID + `",1,null,true]`, `[{"token":"[REDACTED]"},"[REDACTED]",1,null,true]`},
		{"escaped value", `{"q":"\u0041KIAIOSFODNN7EXAMPLE"}`, `{"q":"[REDACTED]"}`},
		{"escaped key", `{"pass\u0077ord":"hunter2"}`, `{"password":"[REDACTED]"}`},
		{"key spellings and types", `{"api_key":12345,"X-Api-Key":"k","apiKey":{"v":"x"},"Cookie":["a","b"]}`,
			`{"Cookie":"[REDACTED]","X-Api-Key":"[REDACTED]","apiKey":"[REDACTED]","api_key":"[REDACTED]"}`},
		{"more keys", `{"client_secret":"a","refresh_token":"b","Authorization":"c","private_key":"d","aws_credentials":"e","pwd":"f","set-cookie":"g","passphrase":"h"}`,
			`{"Authorization":"[REDACTED]","aws_credentials":"[REDACTED]","client_secret":"[REDACTED]","passphrase":"[REDACTED]","private_key":"[REDACTED]","pwd":"[REDACTED]","refresh_token":"[REDACTED]","set-cookie":"[REDACTED]"}`},
		{"empty secret kept", `{"password":null,"secret":""}`, `{"password":null,"secret":""}`},
		{"duplicate key cannot hide a value", `{"password":"first","password":null}`, `{"password":null}`},
		{"github token", `{"t":"` + ghToken + `"}`, `{"t":"[REDACTED]"}`},
		{"github pat", `{"t":"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"}`, `{"t":"[REDACTED]"}`},
		{"github oauth embedded", `{"t":"use gho_0123456789abcdefghijABCDEFGHIJ012345 now"}`, `{"t":"use [REDACTED] now"}`},
		{"slack", `{"t":"xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"}`, `{"t":"[REDACTED]"}`},
		{"jwt", `{"t":"token=` + jwt + `"}`, `{"t":"token=[REDACTED]"}`},
		{"bare jwt", `{"id_token_hint":"x","s":"` + jwt + `"}`, `{"id_token_hint":"[REDACTED]","s":"[REDACTED]"}`},
		{"bearer", `{"cmd":"curl -H 'Authorization: Bearer abcdefgh12345' x"}`, `{"cmd":"curl -H 'Authorization: Bearer [REDACTED]' x"}`},
		{"basic auth header", `{"h":"authorization: Basic dXNlcjpwYXNz"}`, `{"h":"authorization: Basic [REDACTED]"}`},
		{"gateway key", `{"note":"my key is sk-dev-team-abc123"}`, `{"note":"my key is [REDACTED]"}`},
		{"url credentials", `{"dsn":"postgres://admin:s3cr3t@db:5432/app"}`, `{"dsn":"postgres://admin:[REDACTED]@db:5432/app"}`},
		{"password in text", `{"note":"login with password=hunter2 please"}`, `{"note":"login with password=[REDACTED] please"}`},
		{"private key", `{"pem":"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"}`, `{"pem":"[REDACTED]\n"}`},
		{"aws secret by entropy", `{"s":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`, `{"s":"[REDACTED]"}`},
		{"random token by entropy", `{"s":"x q7Xv2LmN9pR4tZ8wK1sB6hC3jD5fG0yAeUoIx9Tb y"}`, `{"s":"x [REDACTED] y"}`},
		{"json inside a string", `{"body":"{\"password\":\"hunter2\",\"n\":1}"}`, `{"body":"{\"n\":1,\"password\":\"[REDACTED]\"}"}`},
		{"top-level string", `"` + ghToken + `"`, `"[REDACTED]"`},
		{"not secrets", `{"path":"/home/user/projects/mcplex/core/audit/logger.go","max_tokens":100,"sha":"da39a3ee5e6b4b0d3255bfef95601890afd80709","id":"123e4567-e89b-12d3-a456-426614174000","text":"The quick brown fox jumps over the lazy dog 12 times","sort":"name"}`,
			`{"id":"123e4567-e89b-12d3-a456-426614174000","max_tokens":100,"path":"/home/user/projects/mcplex/core/audit/logger.go","sha":"da39a3ee5e6b4b0d3255bfef95601890afd80709","sort":"name","text":"The quick brown fox jumps over the lazy dog 12 times"}`},
		{"html and numbers kept", `{"q":"a<b>&c","n":12345678901234567890,"f":1.50}`, `{"f":1.50,"n":12345678901234567890,"q":"a<b>&c"}`},
		{"truncated json", `{"password":"hunt`, `"[REDACTED]"`},
		{"not json", `password=hunter2`, `"[REDACTED]"`},
		{"invalid utf-8", "{\"a\":\"\xff\"}", `"[REDACTED]"`},
		{"trailing data", `{} {"password":"x"}`, `"[REDACTED]"`},
		{"whitespace only", `  `, `"[REDACTED]"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Redact(json.RawMessage(tc.in))
			if !json.Valid(got) {
				t.Fatalf("invalid JSON: %s", got)
			}
			if string(got) != tc.want {
				t.Fatalf("Redact(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
	if got := Redact(nil); got != nil {
		t.Fatalf("Redact(nil) = %s", got)
	}
}

func TestRedactDeepNesting(t *testing.T) {
	in := strings.Repeat(`{"a":`, 500) + `{"token":"` + ghToken + `"}` + strings.Repeat(`}`, 500)
	got := Redact(json.RawMessage(in))
	if !json.Valid(got) || strings.Contains(string(got), ghToken) {
		t.Fatalf("deep nesting: %.200s", got)
	}
}

func TestDigest(t *testing.T) {
	sha := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	if got := Digest(json.RawMessage(`{}`)); got != sha(`{}`) {
		t.Fatalf("Digest({}) = %s", got)
	}
	if got := Digest(json.RawMessage(` {"b":1, "a":"x"} `)); got != sha(`{"a":"x","b":1}`) {
		t.Fatalf("Digest is not sha256 of the canonical form: %s", got)
	}
	equal := [][]string{
		{`{"b":1,"a":[1,2,{"y":true,"x":null}]}`, ` { "a" : [1, 2, {"x":null, "y":true}], "b" : 1 } `},
		{`{"a":"A"}`, `{"a":"\u0041"}`, `{"\u0061":"A"}`},
		{`{"n":1}`, `{"n":1.0}`, `{"n":1e0}`, `{"n":10e-1}`, `{"n":0.1E1}`},
		{`{"n":0}`, `{"n":-0}`, `{"n":0.000}`, `{"n":0e5}`},
		{`{"s":"<&>"}`, `{"s":"\u003c\u0026\u003e"}`},
	}
	for _, group := range equal {
		for _, in := range group[1:] {
			if Digest(json.RawMessage(in)) != Digest(json.RawMessage(group[0])) {
				t.Errorf("Digest(%s) != Digest(%s)", in, group[0])
			}
		}
	}
	distinct := []string{`{"n":1}`, `{"n":2}`, `{"n":"1"}`, `[1,2]`, `[2,1]`, `{"n":12345678901234567890}`,
		`{"n":12345678901234567891}`, `{"n":1.5}`, `{"n":15}`, `{"n":null}`, `{}`, `[]`, `"{}"`}
	seen := map[string]string{}
	for _, in := range distinct {
		d := Digest(json.RawMessage(in))
		if prev, ok := seen[d]; ok {
			t.Errorf("Digest(%s) == Digest(%s)", in, prev)
		}
		seen[d] = in
	}
	if Digest(nil) != "" {
		t.Error("Digest(nil) should be empty")
	}
	if got := Digest(json.RawMessage(`{"a":`)); got != sha(`{"a":`) {
		t.Errorf("invalid JSON is hashed raw: %s", got)
	}
}

func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "0.0": "0", "1": "1", "1.0": "1", "100": "100", "1e2": "100", "1E+2": "100",
		"1.5": "15e-1", "-0.001": "-1e-3", "120e-1": "12", "123456789012345678901": "123456789012345678901",
		"1234567890123456789012": "1234567890123456789012e0", "1e21": "1e21", "1e999999999999": "1e999999999999",
		"-1e999999999999": "-1e999999999999",
	} {
		if got := canonicalNumber(in); got != want {
			t.Errorf("canonicalNumber(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestIsSecretKey(t *testing.T) {
	for k, want := range map[string]bool{
		"password": true, "Password": true, "db_password": true, "x-api-key": true, "accessKeyId": true,
		"GITHUB_TOKEN": true, "Proxy-Authorization": true, "pass": true, "auth": true,
		"max_tokens": false, "maxTokens": false, "token_count": false, "passage": false, "author": false,
		"key": false, "keyword": false, "path": false, "query": false,
	} {
		if got := isSecretKey(k); got != want {
			t.Errorf("isSecretKey(%q) = %v", k, got)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{`{"password":"x"}`, `[1,"` + awsKeyID + `"]`, `{"a":"\u0041KIA`, `"` + jwt + `"`,
		`{"body":"[{\"token\":\"y\"}]"}`, `1e999`, "\xff", `{"a":{"b":[{"c":"Bearer abcdefghij"}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Redact(in)
		if len(in) > 0 && !json.Valid(out) {
			t.Fatalf("Redact(%q) = %q, not JSON", in, out)
		}
		if d := Digest(in); len(in) > 0 && len(d) != 64 {
			t.Fatalf("Digest(%q) = %q", in, d)
		}
	})
}
