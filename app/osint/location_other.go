//go:build !darwin && !windows

package osint

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// StableDir is where [InstallSelf] puts the binary: $XDG_BIN_HOME, else
// ~/.local/bin (on PATH in most distributions' default shell profiles).
func StableDir() (string, error) {
	if dir := os.Getenv("XDG_BIN_HOME"); filepath.IsAbs(dir) {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "bin"), nil
}

func currentPlaces() places {
	p := places{temp: withResolved(os.TempDir())}
	if home, err := os.UserHomeDir(); err == nil {
		p.downloads = append(p.downloads, filepath.Join(home, "Downloads"))
		if dir := xdgDownloadDir(home); dir != "" && dir != p.downloads[0] {
			p.downloads = append(p.downloads, dir)
		}
	}
	return p
}

// xdgDownloadDir reads XDG_DOWNLOAD_DIR from user-dirs.dirs, where a
// localized desktop names its Downloads folder ("$HOME/Téléchargements").
func xdgDownloadDir(home string) string {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(cfg) {
		cfg = filepath.Join(home, ".config")
	}
	f, err := os.Open(filepath.Join(cfg, "user-dirs.dirs"))
	if err != nil {
		return "" // no such file: only ~/Downloads is checked
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DOWNLOAD_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			v = home + rest
		}
		if filepath.IsAbs(v) {
			return filepath.Clean(v)
		}
	}
	return ""
}

func installBundle(string) (string, bool, error) { return "", false, nil }

func replaceFile(tmp, dst string) error { return os.Rename(tmp, dst) }
