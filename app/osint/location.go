package osint

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcplex/mcplex/core/atomicfile"
)

// ErrTransient is matched (errors.Is) by every [*TransientError].
var ErrTransient = errors.New("the executable is in a temporary location")

// TransientError is returned by [StableExecutable] when this program runs
// from a place that will not last. Offer [InstallSelf] into StableDir.
type TransientError struct {
	Exe       string // where the program runs from
	Reason    string // why that place will not last
	StableDir string // where to install it ("" if unknown)
}

func (e *TransientError) Error() string {
	return fmt.Sprintf("MCPlex runs from %s, which will not last (%s); install a copy in %s first", e.Exe, e.Reason, e.StableDir)
}

// Is makes errors.Is(err, ErrTransient) true.
func (e *TransientError) Is(target error) bool { return target == ErrTransient }

// StableExecutable returns this program's path, symlinks resolved, if it
// is a place that lasts; otherwise a [*TransientError]. Call it before
// writing any file that points at the binary (a client config, the service
// unit, a login item), and offer installation on ErrTransient.
func StableExecutable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating this program: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	if bad, why := IsTransient(exe); bad {
		dir, _ := StableDir() // an unknown dir still leaves a useful message
		return "", &TransientError{Exe: exe, Reason: why, StableDir: dir}
	}
	return exe, nil
}

// IsTransient reports whether exe runs from a place that will not last,
// and why: a macOS App Translocation copy or a mounted disk image, the
// temporary directory, a `go run` or `go test` build, or the Downloads
// folder.
func IsTransient(exe string) (bool, string) {
	exe = filepath.Clean(exe)
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return transient(exe, currentPlaces())
}

// places are the transient locations of the current user and OS.
type places struct {
	temp      []string // temporary directories, as given and symlinks resolved
	downloads []string // the Downloads folder(s)
	macOS     bool     // also App Translocation and /Volumes
	fold      bool     // the file system ignores case
}

func transient(exe string, p places) (bool, string) {
	parts := strings.FieldsFunc(exe, func(r rune) bool { return r == '/' || r == filepath.Separator })
	for _, part := range parts {
		switch {
		case p.macOS && part == "AppTranslocation":
			return true, "macOS App Translocation runs it from a random read-only copy"
		case strings.HasPrefix(part, "go-build"):
			return true, "it is a build made by go run or go test"
		}
	}
	if p.macOS && within(exe, "/Volumes", p.fold) {
		return true, "it runs from a mounted disk image or another volume (/Volumes)"
	}
	for _, dir := range p.temp {
		if within(exe, dir, p.fold) {
			return true, "it is in the temporary directory " + dir
		}
	}
	for _, dir := range p.downloads {
		if within(exe, dir, p.fold) {
			return true, "it is in the Downloads folder"
		}
	}
	return false, ""
}

// within reports whether path is dir or below it.
func within(path, dir string, fold bool) bool {
	if dir == "" {
		return false
	}
	path, dir = filepath.Clean(path), filepath.Clean(dir)
	if fold {
		path, dir = strings.ToLower(path), strings.ToLower(dir)
	}
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// withResolved returns dir and, if different, dir with symlinks resolved
// (macOS's $TMPDIR is under /var, a link to /private/var).
func withResolved(dir string) []string {
	if dir == "" {
		return nil
	}
	dirs := []string{filepath.Clean(dir)}
	if r, err := filepath.EvalSymlinks(dir); err == nil && r != dirs[0] {
		dirs = append(dirs, r)
	}
	return dirs
}

// InstallSelf copies the executable exe into dir (created if missing) and
// returns the copy's path, dir/base(exe). The copy is atomic (temporary
// file, fsync, rename), has mode 0755 and replaces an older copy; if exe
// already is that file, nothing is copied.
//
// On macOS an executable inside an .app bundle cannot run outside it, so
// there the whole bundle is copied to ~/Applications instead (dir is not
// used) and the path of the executable in the copy is returned.
func InstallSelf(exe, dir string) (string, error) {
	if dst, ok, err := installBundle(exe); ok || err != nil {
		return dst, err
	}
	dst := filepath.Join(dir, filepath.Base(exe))
	if sameFile(exe, dst) {
		return dst, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := copyExecutable(exe, dst); err != nil {
		return "", fmt.Errorf("installing %s to %s: %w", exe, dst, err)
	}
	// On Windows the tray (mcplexw.exe) and the console program
	// (mcplex.exe: CLI and the clients' stdio bridge) ship as a pair:
	// install the one beside exe too, so bridge entries find it.
	for _, twin := range windowsTwins(exe) {
		if _, err := os.Stat(twin); err != nil {
			continue
		}
		if err := copyExecutable(twin, filepath.Join(dir, filepath.Base(twin))); err != nil {
			return "", fmt.Errorf("installing %s to %s: %w", twin, dir, err)
		}
	}
	return dst, nil
}

// The Windows build ships as a pair the installer puts side by side (see
// packaging/windows/installer.nsi): the console program (CLI and the
// clients' stdio bridge) and the GUI-subsystem tray.
const (
	ConsoleExeName = "mcplex.exe"
	TrayExeName    = "mcplexw.exe"
)

// windowsTwins returns the other executable of the Windows pair next to
// exe, or nothing.
func windowsTwins(exe string) []string {
	dir, base := filepath.Dir(exe), filepath.Base(exe)
	switch {
	case strings.EqualFold(base, ConsoleExeName):
		return []string{filepath.Join(dir, TrayExeName)}
	case strings.EqualFold(base, TrayExeName):
		return []string{filepath.Join(dir, ConsoleExeName)}
	}
	return nil
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// copyExecutable copies src over dst atomically, with mode 0755.
func copyExecutable(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			_ = tmp.Close() // may be closed already; the first error is the one to report
			err = errors.Join(err, os.Remove(tmp.Name()))
		}
	}()
	if _, err = io.Copy(tmp, in); err != nil {
		return err
	}
	if err = tmp.Chmod(0o755); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = replaceFile(tmp.Name(), dst); err != nil {
		return err
	}
	renamed = true
	return atomicfile.SyncDir(dir)
}
