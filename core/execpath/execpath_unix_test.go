//go:build unix

package execpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLookPathUsualLocations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		exes    []string          // executables to create, relative to HOME
		plain   []string          // non-executable files to create, relative to HOME
		links   map[string]string // symlinks to create: link -> target, relative to HOME
		extra   []string          // extra variables; "<home>" is replaced by HOME
		want    string            // relative to HOME
		wantErr bool
	}{
		{name: "volta", exes: []string{".volta/bin/" + tool}, want: ".volta/bin/" + tool},
		{name: "VOLTA_HOME", exes: []string{"tools/volta/bin/" + tool}, extra: []string{"VOLTA_HOME=<home>/tools/volta"},
			want: "tools/volta/bin/" + tool},
		{name: "nvm newest version first",
			exes: []string{
				".nvm/versions/node/v9.11.2/bin/" + tool,
				".nvm/versions/node/v20.10.0/bin/" + tool,
				".nvm/versions/node/v18.19.1/bin/" + tool,
			},
			want: ".nvm/versions/node/v20.10.0/bin/" + tool},
		{name: "nvm newest version without the command",
			exes: []string{".nvm/versions/node/v22.1.0/bin/node", ".nvm/versions/node/v18.19.1/bin/" + tool},
			want: ".nvm/versions/node/v18.19.1/bin/" + tool},
		{name: "NVM_DIR", exes: []string{"nvm/versions/node/v20.0.0/bin/" + tool}, extra: []string{"NVM_DIR=<home>/nvm"},
			want: "nvm/versions/node/v20.0.0/bin/" + tool},
		{name: "NVM_BIN", exes: []string{"somewhere/bin/" + tool}, extra: []string{"NVM_BIN=<home>/somewhere/bin"},
			want: "somewhere/bin/" + tool},
		{name: "uv and pipx", exes: []string{".local/bin/" + tool}, want: ".local/bin/" + tool},
		{name: "cargo", exes: []string{".cargo/bin/" + tool}, want: ".cargo/bin/" + tool},
		{name: "CARGO_HOME", exes: []string{"rust/cargo/bin/" + tool}, extra: []string{"CARGO_HOME=<home>/rust/cargo"},
			want: "rust/cargo/bin/" + tool},
		{name: "bun", exes: []string{".bun/bin/" + tool}, want: ".bun/bin/" + tool},
		{name: "deno", exes: []string{".deno/bin/" + tool}, want: ".deno/bin/" + tool},
		{name: "pnpm macOS", exes: []string{"Library/pnpm/" + tool}, want: "Library/pnpm/" + tool},
		{name: "pnpm Linux", exes: []string{".local/share/pnpm/" + tool}, want: ".local/share/pnpm/" + tool},
		{name: "PNPM_HOME", exes: []string{"pn/" + tool}, extra: []string{"PNPM_HOME=<home>/pn"}, want: "pn/" + tool},
		{name: "npm prefix", exes: []string{".npm-global/bin/" + tool}, want: ".npm-global/bin/" + tool},
		{name: "asdf", exes: []string{".asdf/shims/" + tool}, want: ".asdf/shims/" + tool},
		{name: "mise", exes: []string{".local/share/mise/shims/" + tool}, want: ".local/share/mise/shims/" + tool},
		{name: "volta before nvm",
			exes: []string{".nvm/versions/node/v20.0.0/bin/" + tool, ".volta/bin/" + tool}, want: ".volta/bin/" + tool},
		{name: "nvm before ~/.local/bin",
			exes: []string{".local/bin/" + tool, ".nvm/versions/node/v20.0.0/bin/" + tool}, want: ".nvm/versions/node/v20.0.0/bin/" + tool},
		{name: "not executable is skipped",
			plain: []string{".volta/bin/" + tool}, exes: []string{".cargo/bin/" + tool}, want: ".cargo/bin/" + tool},
		{name: "only non-executable", plain: []string{".volta/bin/" + tool}, wantErr: true},
		{name: "symlink to executable", exes: []string{"real/" + tool}, links: map[string]string{".local/bin/" + tool: "real/" + tool},
			want: ".local/bin/" + tool},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			for _, e := range tt.exes {
				makeExe(t, filepath.Join(home, e))
			}
			for _, p := range tt.plain {
				writeFile(t, filepath.Join(home, p), 0o644)
			}
			for link, target := range tt.links {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(home, link)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(home, target), filepath.Join(home, link)); err != nil {
					t.Fatal(err)
				}
			}
			env := testEnv(home, filepath.Join(home, "empty"))
			for _, kv := range tt.extra {
				env = append(env, strings.ReplaceAll(kv, "<home>", home))
			}
			got, err := LookPath(tool, env)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LookPath = %q, want an error", got)
				}
				return
			}
			if want := filepath.Join(home, tt.want); err != nil || got != want {
				t.Fatalf("LookPath = %q, %v; want %q", got, err, want)
			}
		})
	}
}

func TestLookPathExplicitNonExecutable(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), tool)
	writeFile(t, p, 0o644)
	if got, err := LookPath(p, nil); err == nil {
		t.Errorf("LookPath(%q) = %q for a file without execute permission, want an error", p, got)
	}
}
