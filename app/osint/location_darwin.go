package osint

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StableDir is where [InstallSelf] puts a plain binary:
// ~/Library/Application Support/MCPlex/bin.
func StableDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "Application Support", "MCPlex", "bin"), nil
}

func currentPlaces() places {
	p := places{macOS: true, fold: true, temp: withResolved(os.TempDir())}
	if home, err := os.UserHomeDir(); err == nil {
		p.downloads = []string{filepath.Join(home, "Downloads")}
	}
	return p
}

func replaceFile(tmp, dst string) error { return os.Rename(tmp, dst) }

// bundleRoot returns the .app directory that holds exe, or "".
func bundleRoot(exe string) string {
	i := strings.Index(exe, ".app/Contents/MacOS/")
	if i < 0 {
		return ""
	}
	return exe[:i+len(".app")]
}

// installBundle copies the .app bundle holding exe to ~/Applications,
// replacing an older copy, and returns the executable's path in the copy;
// ok is false when exe is not in a bundle. Copying drops the quarantine
// attribute, so the copy is not translocated again.
func installBundle(exe string) (newExe string, ok bool, err error) {
	app := bundleRoot(exe)
	if app == "" {
		return "", false, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", true, err
	}
	apps := filepath.Join(home, "Applications")
	dst := filepath.Join(apps, filepath.Base(app))
	newExe = dst + strings.TrimPrefix(exe, app)
	if sameFile(app, dst) {
		return newExe, true, nil
	}
	if err := os.MkdirAll(apps, 0o755); err != nil {
		return "", true, err
	}
	tmp, err := os.MkdirTemp(apps, "."+filepath.Base(app)+".*.tmp")
	if err != nil {
		return "", true, err
	}
	defer os.RemoveAll(tmp) // gone after the rename; what a failure left otherwise
	if err := copyTree(app, tmp); err != nil {
		return "", true, fmt.Errorf("copying %s: %w", app, err)
	}
	if err := swapDir(tmp, dst); err != nil {
		return "", true, fmt.Errorf("installing %s: %w", dst, err)
	}
	return newExe, true, nil
}

// swapDir moves dir to dst, replacing an older dst: it is moved aside first
// and deleted once the new one is in place.
func swapDir(dir, dst string) error {
	old := dir + ".old"
	if _, err := os.Lstat(dst); err == nil {
		if err := os.Rename(dst, old); err != nil {
			return err
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(dir, dst); err != nil {
		if _, statErr := os.Lstat(old); statErr == nil {
			_ = os.Rename(old, dst) // put the old copy back; err says what failed
		}
		return err
	}
	return nil
}

// copyTree copies the tree at src to the existing directory dst, keeping
// modes and symlinks (frameworks in a bundle are symlink farms).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case rel == ".":
			return os.Chmod(dst, info.Mode().Perm()) // MkdirTemp made it 0700
		case d.IsDir():
			return os.Mkdir(target, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyRegular(path, target, info.Mode().Perm())
		}
		return nil // sockets and the like have no place in a bundle
	})
}

func copyRegular(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close() // the copy error is the one to report
		return err
	}
	return out.Close()
}
