package osint

import (
	"errors"
	"os"
	"path/filepath"
)

// StableDir is where [InstallSelf] puts the binary: the per-user programs
// folder, %LOCALAPPDATA%\Programs\MCPlex (where the installer puts it too).
func StableDir() (string, error) {
	local := os.Getenv("LOCALAPPDATA")
	if local == "" {
		var err error
		if local, err = os.UserCacheDir(); err != nil { // %LocalAppData% too
			return "", err
		}
	}
	return filepath.Join(local, "Programs", "MCPlex"), nil
}

func currentPlaces() places {
	p := places{fold: true, temp: withResolved(os.TempDir())}
	for _, v := range []string{"TEMP", "TMP"} {
		if dir := os.Getenv(v); dir != "" {
			p.temp = append(p.temp, withResolved(dir)...)
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		p.downloads = []string{filepath.Join(home, "Downloads")}
	}
	return p
}

func installBundle(string) (string, bool, error) { return "", false, nil }

// replaceFile renames tmp over dst. Windows refuses to replace a running
// executable but lets it be renamed, so an older copy that is running is
// moved aside to dst.old first; it is deleted once nothing runs it.
func replaceFile(tmp, dst string) error {
	err := os.Rename(tmp, dst)
	if err == nil {
		return nil
	}
	old := dst + ".old"
	_ = os.Remove(old) // left by an earlier install; may still be running, then the next rename fails and says so
	if err2 := os.Rename(dst, old); err2 != nil {
		return errors.Join(err, err2)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return errors.Join(err, os.Rename(old, dst))
	}
	_ = os.Remove(old) // fails while the old copy runs; the next install retries
	return nil
}
