package execpath

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLookPathWindows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		lookup  string   // defaults to tool
		files   []string // files to create, relative to USERPROFILE, with extension
		extra   []string // extra variables; "<home>" is replaced by USERPROFILE; later ones win
		want    string   // relative to USERPROFILE
		wantErr bool
	}{
		{name: "npm .cmd shim", files: []string{`AppData\Roaming\npm\` + tool, `AppData\Roaming\npm\` + tool + ".cmd"},
			want: `AppData\Roaming\npm\` + tool + ".cmd"},
		{name: "exe before cmd in PATHEXT order", files: []string{`.cargo\bin\` + tool + ".cmd", `.cargo\bin\` + tool + ".exe"},
			want: `.cargo\bin\` + tool + ".exe"},
		{name: "custom PATHEXT order", files: []string{`.cargo\bin\` + tool + ".cmd", `.cargo\bin\` + tool + ".exe"},
			extra: []string{"PATHEXT=.CMD;.EXE"}, want: `.cargo\bin\` + tool + ".cmd"},
		{name: "empty PATHEXT uses the default", files: []string{`.cargo\bin\` + tool + ".bat"},
			extra: []string{"PATHEXT="}, want: `.cargo\bin\` + tool + ".bat"},
		{name: "script extensions are not runnable", files: []string{`.cargo\bin\` + tool + ".js", `.cargo\bin\` + tool + ".ps1"},
			wantErr: true},
		{name: "name with extension", lookup: tool + ".cmd", files: []string{`.local\bin\` + tool + ".cmd"},
			want: `.local\bin\` + tool + ".cmd"},
		{name: "Program Files nodejs", files: []string{`pf\nodejs\` + tool + ".exe"}, extra: []string{`ProgramFiles=<home>\pf`},
			want: `pf\nodejs\` + tool + ".exe"},
		{name: "nvm-windows symlink", files: []string{`nvm\current\` + tool + ".exe"}, extra: []string{`NVM_SYMLINK=<home>\nvm\current`},
			want: `nvm\current\` + tool + ".exe"},
		{name: "newest Python Scripts", files: []string{
			`AppData\Local\Programs\Python\Python39\Scripts\` + tool + ".exe",
			`AppData\Local\Programs\Python\Python312\Scripts\` + tool + ".exe",
		}, want: `AppData\Local\Programs\Python\Python312\Scripts\` + tool + ".exe"},
		{name: "uv", files: []string{`.local\bin\` + tool + ".exe"}, want: `.local\bin\` + tool + ".exe"},
		{name: "scoop", files: []string{`scoop\shims\` + tool + ".exe"}, want: `scoop\shims\` + tool + ".exe"},
		{name: "PATH in any case", files: []string{`custom\` + tool + ".exe"}, extra: []string{`PATH=<home>\custom`},
			want: `custom\` + tool + ".exe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			home := t.TempDir()
			for _, f := range tt.files {
				writeFile(t, filepath.Join(home, f), 0o644)
			}
			env := testEnv(home, filepath.Join(home, "empty"))
			for _, kv := range tt.extra {
				env = append(env, strings.ReplaceAll(kv, "<home>", home))
			}
			name := tt.lookup
			if name == "" {
				name = tool
			}
			got, err := LookPath(name, env)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("LookPath = %q, want an error", got)
				}
				return
			}
			if want := filepath.Join(home, tt.want); err != nil || !strings.EqualFold(got, want) {
				t.Fatalf("LookPath = %q, %v; want %q", got, err, want)
			}
		})
	}
}
