package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mcplex/mcplex/app/osint"
	"github.com/mcplex/mcplex/core/config"
)

// The OS integration the tray offers (service, start at login, installing
// the binary), under app names so ui/ imports only app. Each function may
// run a service manager command or write a file: call it off the UI
// goroutine.
type (
	// ServiceInfo is the gateway service's state, with Reason (why it is
	// unsupported, or why it stopped) and Path (its unit or plist).
	ServiceInfo = osint.ServiceStatus
	// ServiceState is ServiceInfo.State.
	ServiceState = osint.ServiceState
)

// The service states.
const (
	ServiceNotInstalled = osint.ServiceNotInstalled
	ServiceStopped      = osint.ServiceStopped
	ServiceRunning      = osint.ServiceRunning
	ServiceUnsupported  = osint.ServiceUnsupported
)

var (
	// ErrServiceUnsupported: no user service on this system (Windows, Linux
	// without a systemd user manager); the error text says why and that the
	// tray runs the gateway itself.
	ErrServiceUnsupported = osint.ErrUnsupported
	// ErrServiceNotInstalled is returned by start, stop and uninstall.
	ErrServiceNotInstalled = osint.ErrNotInstalled
	// ErrTransientBinary: this program runs from a temporary place; offer
	// InstallBinary before pointing anything at it.
	ErrTransientBinary = osint.ErrTransient
)

// ServiceStatus reports the gateway service's state; an unsupported
// system is ServiceUnsupported with a reason, not an error.
func ServiceStatus() (ServiceInfo, error) { return osint.QueryService() }

// ServiceInstall installs (without starting) the service that runs
// `exe serve --admin --config configPath` at login, and returns its unit or
// plist path. exe comes from StableExecutable or InstallBinary.
func ServiceInstall(exe, configPath string) (unitPath string, err error) {
	abs, err := filepath.Abs(configPath)
	if err != nil {
		return "", err
	}
	return osint.InstallService(osint.ServiceSpec{Exe: exe, Config: abs})
}

// ServiceUninstall stops and removes the service.
func ServiceUninstall() error { _, err := osint.UninstallService(); return err }

// ServiceStart starts the installed service (a no-op if running).
func ServiceStart() error { return osint.StartService() }

// ServiceStop stops the service until the next start or login (a no-op if
// stopped).
func ServiceStop() error { return osint.StopService() }

// AutostartEnabled reports whether the tray starts at login (off by default).
func AutostartEnabled() (bool, error) { return osint.Autostart{}.Enabled() }

// AutostartEnable makes the tray start at login by running exe (from
// StableExecutable or InstallBinary; on Windows the GUI build next to it).
func AutostartEnable(exe string) error { return osint.Autostart{}.Enable(osint.TrayExecutable(exe)) }

// AutostartDisable stops the tray from starting at login.
func AutostartDisable() error { return osint.Autostart{}.Disable() }

// StableExecutable returns this program's path if it is a place that
// lasts, else an error matching ErrTransientBinary. Call it before writing
// anything that points at the binary.
func StableExecutable() (string, error) { return osint.StableExecutable() }

// InstallBinary copies this program to the per-user stable location (on
// macOS, its .app bundle to ~/Applications) and returns the new path.
func InstallBinary() (string, error) {
	exe, err := currentExecutable()
	if err != nil {
		return "", err
	}
	dir, err := osint.StableDir()
	if err != nil {
		return "", err
	}
	return osint.InstallSelf(exe, dir)
}

func currentExecutable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating this program: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return exe, nil
}

const serviceUsage = "usage: mcplex service install [-c FILE] [--install-binary] | uninstall | start | stop | status"

// runService: "mcplex service install|uninstall|start|stop|status" manages
// the gateway as a per-user service (LaunchAgent, systemd user unit).
func runService(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, serviceUsage)
		return errUsage
	}
	action, args := args[0], args[1:]
	if action == "install" {
		return serviceInstall(env, args)
	}
	if err := parseFlags(newFlagSet(env, "service "+action, nil), args); err != nil {
		return err
	}
	switch action {
	case "status":
		return serviceStatus(env)
	case "start":
		if err := ServiceStart(); err != nil {
			return withInstallHint(err)
		}
		fmt.Fprintln(env.Stdout, "Started the MCPlex gateway service.")
	case "stop":
		if err := ServiceStop(); err != nil {
			return withInstallHint(err)
		}
		fmt.Fprintln(env.Stdout, "Stopped the MCPlex gateway service; it starts again at the next login (mcplex service uninstall removes it).")
	case "uninstall":
		path, err := osint.UninstallService()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Stopped and removed the MCPlex gateway service (%s).\n", path)
	default:
		fmt.Fprintln(env.Stderr, serviceUsage)
		return errUsage
	}
	return nil
}

func withInstallHint(err error) error {
	if errors.Is(err, ErrServiceNotInstalled) {
		return fmt.Errorf("%w; mcplex service install sets it up", err)
	}
	return err
}

func serviceInstall(env *Env, args []string) error {
	var cf commonFlags
	fs := newFlagSet(env, "service install", nil)
	fs.StringVar(&cf.config, "config", "", "config file the service runs with (default: found as serve finds it)")
	fs.StringVar(&cf.config, "c", "", "shorthand for --config")
	installBinary := fs.Bool("install-binary", false, "if this program runs from a temporary place, copy it to the stable per-user location first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Before anything is copied or written:
	st, err := ServiceStatus()
	switch {
	case err != nil:
		return err
	case st.State == ServiceUnsupported:
		return &osint.UnsupportedError{Reason: st.Reason}
	case st.State != ServiceNotInstalled:
		return fmt.Errorf("%w (%s); mcplex service uninstall removes it", osint.ErrAlreadyInstalled, st.Path)
	}
	exe, err := stableExecutable(env, *installBinary, "rerun with --install-binary to do so")
	if err != nil {
		return err
	}
	configPath, err := serviceConfig(env, &cf, exe)
	if err != nil {
		return err
	}
	unit, err := ServiceInstall(exe, configPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Installed the MCPlex gateway service: %s\nIt runs: %s %s\nIt starts at login; start it now with: mcplex service start\n",
		unit, exe, strings.Join(osint.ServiceSpec{Exe: exe, Config: configPath}.Args(), " "))
	return nil
}

// stableExecutable returns this program's stable path; from a temporary
// place it installs a copy first if install is set, else it fails with hint.
func stableExecutable(env *Env, install bool, hint string) (string, error) {
	exe, err := StableExecutable()
	if !errors.Is(err, ErrTransientBinary) {
		return exe, err
	}
	if !install {
		return "", fmt.Errorf("%w (%s)", err, hint)
	}
	exe, err = InstallBinary()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(env.Stdout, "Installed this program as %s\n", exe)
	return exe, nil
}

// serviceConfig resolves the config file the way serve does (--config,
// $MCPLEX_CONFIG, ./mcplex.toml, the user config dir), checks that it
// loads, and returns its absolute path. A default config is written here,
// not by loadConfig, so that its demo server points at exe, the stable
// binary, rather than at a temporary one.
func serviceConfig(env *Env, cf *commonFlags, exe string) (string, error) {
	if cf.config == "" && os.Getenv("MCPLEX_CONFIG") == "" {
		if _, err := os.Stat("mcplex.toml"); err != nil {
			def, err := config.DefaultPath()
			if err != nil {
				return "", err
			}
			created, err := config.EnsureDefault(def, exe, []string{"demo-server"})
			if err != nil {
				return "", fmt.Errorf("writing the default config: %w", err)
			}
			if created {
				fmt.Fprintf(env.Stdout, "Wrote a default config to %s (edit it to add your MCP servers)\n", def)
			}
			cf.config = def
		}
	}
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return "", err
	}
	return filepath.Abs(cfg.Path)
}

func serviceStatus(env *Env) error {
	st, err := ServiceStatus()
	if err != nil {
		return err
	}
	line := "MCPlex gateway service: " + st.State.String()
	switch {
	case st.State == ServiceUnsupported:
		line += "\n" + st.Reason
	case st.State == ServiceNotInstalled:
		line += " (mcplex service install sets it up)"
	case st.Reason != "":
		line += fmt.Sprintf(" (%s; %s)", st.Reason, st.Path)
	default:
		line += " (" + st.Path + ")"
	}
	fmt.Fprintln(env.Stdout, line)
	return nil
}

// runAutostart: "mcplex autostart on|off|status" starts the tray at login.
func runAutostart(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "usage: mcplex autostart on|off|status")
		return errUsage
	}
	if err := parseFlags(newFlagSet(env, "autostart "+args[0], nil), args[1:]); err != nil {
		return err
	}
	where, err := osint.Autostart{}.Path()
	if err != nil {
		return err
	}
	switch args[0] {
	case "on":
		exe, err := stableExecutable(env, false, "mcplex install-binary does so")
		if err != nil {
			return err
		}
		if err := AutostartEnable(exe); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "MCPlex starts at login from now on (%s).\n", where)
	case "off":
		if err := AutostartDisable(); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "MCPlex no longer starts at login.")
	case "status":
		on, err := AutostartEnabled()
		if err != nil {
			return err
		}
		state := "off"
		if on {
			state = "on (" + where + ")"
		}
		fmt.Fprintln(env.Stdout, "Start at login:", state)
	default:
		fmt.Fprintln(env.Stderr, "usage: mcplex autostart on|off|status")
		return errUsage
	}
	return nil
}

// runInstallBinary: "mcplex install-binary" copies this program to the
// stable per-user location, so configs and services can point at it.
func runInstallBinary(ctx context.Context, env *Env, args []string) error {
	if err := parseFlags(newFlagSet(env, "install-binary", nil), args); err != nil {
		return err
	}
	self, err := currentExecutable()
	if err != nil {
		return err
	}
	path, err := InstallBinary()
	if err != nil {
		return err
	}
	if path == self {
		fmt.Fprintf(env.Stdout, "MCPlex is already installed at %s\n", path)
		return nil
	}
	fmt.Fprintf(env.Stdout, "Installed MCPlex at %s\n", path)
	if dir := filepath.Dir(path); !slices.Contains(filepath.SplitList(os.Getenv("PATH")), dir) {
		fmt.Fprintf(env.Stdout, "%s is not on your PATH; add it to run mcplex from a terminal.\n", dir)
	}
	return nil
}
