package osint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	kardianos "github.com/kardianos/service"
)

// ServiceName names the gateway service: the systemd unit is
// ServiceName+".service", the launchd label is ServiceName.
const ServiceName = "mcplex"

const serviceDisplayName = "MCPlex gateway"

var (
	// ErrUnsupported is matched (errors.Is) by every [*UnsupportedError].
	ErrUnsupported = errors.New("user services are not supported here")
	// ErrNotInstalled is returned by the actions that need an installed service.
	ErrNotInstalled = errors.New("the MCPlex gateway service is not installed")
	// ErrAlreadyInstalled is returned by [InstallService] when a unit or plist
	// is already in place; uninstall first to replace it.
	ErrAlreadyInstalled = errors.New("the MCPlex gateway service is already installed")
)

// UnsupportedError says why this system cannot run the gateway as a user
// service and what runs it instead. Reason is a full sentence for the user.
type UnsupportedError struct {
	Reason string
}

func (e *UnsupportedError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// ServiceSpec is what the installed service runs:
// Exe serve --admin --config Config.
type ServiceSpec struct {
	// Exe is the absolute path of a stable mcplex executable (see
	// [StableExecutable]).
	Exe string
	// Config is the absolute path of the config file.
	Config string
}

// Args returns the service's command-line arguments after Exe.
func (s ServiceSpec) Args() []string {
	return []string{"serve", "--admin", "--config", s.Config}
}

func (s ServiceSpec) validate() error {
	for _, p := range []struct{ what, path string }{{"executable", s.Exe}, {"config", s.Config}} {
		if !filepath.IsAbs(p.path) {
			return fmt.Errorf("service %s path %q is not absolute", p.what, p.path)
		}
		if strings.ContainsFunc(p.path, isControl) {
			return fmt.Errorf("service %s path %q contains a control character", p.what, p.path)
		}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// ServiceState is the gateway service's state.
type ServiceState int

// The service states. ServiceUnsupported comes with a reason.
const (
	ServiceNotInstalled ServiceState = iota
	ServiceStopped
	ServiceRunning
	ServiceUnsupported
)

func (s ServiceState) String() string {
	switch s {
	case ServiceNotInstalled:
		return "not installed"
	case ServiceStopped:
		return "stopped"
	case ServiceRunning:
		return "running"
	case ServiceUnsupported:
		return "unsupported"
	}
	return fmt.Sprintf("ServiceState(%d)", int(s))
}

// ServiceStatus is what [QueryService] reports.
type ServiceStatus struct {
	State ServiceState
	// Reason explains ServiceUnsupported, or a stop that was a failure.
	Reason string
	// Path is the unit file or plist, where the system has one.
	Path string
}

// ServiceSupported returns nil if this system can run the gateway as a
// user service, else an [*UnsupportedError] saying why and what runs it
// instead.
func ServiceSupported() error { return supported() }

// QueryService reports the service's state. An unsupported system is a
// status (ServiceUnsupported with a Reason), not an error; the error is for
// a service manager that could not be asked.
func QueryService() (ServiceStatus, error) {
	if err := supported(); err != nil {
		var u *UnsupportedError
		if errors.As(err, &u) {
			return ServiceStatus{State: ServiceUnsupported, Reason: u.Reason}, nil
		}
		return ServiceStatus{}, err
	}
	return query()
}

// query is QueryService on a supported system.
func query() (ServiceStatus, error) {
	path, installed, err := installedUnit()
	st := ServiceStatus{Path: path}
	if err != nil || !installed {
		return st, err
	}
	s, err := kardianos.New(program{}, baseConfig())
	if err != nil {
		return st, err
	}
	ks, err := s.Status()
	switch {
	case err == nil && ks == kardianos.StatusRunning:
		st.State = ServiceRunning
	case err == nil && ks == kardianos.StatusStopped:
		st.State = ServiceStopped
	case errors.Is(err, kardianos.ErrNotInstalled):
		st.State = ServiceNotInstalled
	case err != nil && err.Error() == "service in failed state": // kardianos v1.3.0, systemd
		st.State, st.Reason = ServiceStopped, "the gateway exited with an error; see journalctl --user -u "+ServiceName
	case err != nil:
		return st, fmt.Errorf("asking the service manager: %w", err)
	default:
		return st, fmt.Errorf("the service manager reported an unknown state (%d)", ks)
	}
	return st, nil
}

// InstallService writes the service's unit or plist (it does not start it)
// and returns its path. The service starts at login from then on; it runs
// spec with the user's home as working directory, which nothing depends on:
// every path it needs is absolute. An existing install is an error
// ([ErrAlreadyInstalled]); uninstall first to replace it.
func InstallService(spec ServiceSpec) (path string, err error) {
	if err := supported(); err != nil {
		return "", err
	}
	if err := spec.validate(); err != nil {
		return "", err
	}
	path, installed, err := installedUnit()
	if err != nil {
		return path, err
	}
	if installed {
		return path, fmt.Errorf("%w (%s)", ErrAlreadyInstalled, path)
	}
	cfg := baseConfig()
	if err := prepareInstall(spec, cfg); err != nil {
		return path, err
	}
	s, err := kardianos.New(program{}, cfg)
	if err != nil {
		return path, err
	}
	if err := s.Install(); err != nil {
		// kardianos writes the file before it enables it: leave no half install.
		if rmErr := os.Remove(path); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			err = errors.Join(err, rmErr)
		}
		return path, fmt.Errorf("installing the service: %w", err)
	}
	return path, nil
}

// UninstallService stops the service and removes its unit or plist, and
// returns the path it removed.
func UninstallService() (path string, err error) {
	if err := supported(); err != nil {
		return "", err
	}
	// systemd keeps a removed unit's process running, so stop it first.
	if err := control(ServiceStopped); err != nil {
		return "", err
	}
	s, path, err := installed()
	if err != nil {
		return path, err
	}
	if err := s.Uninstall(); err != nil {
		return path, fmt.Errorf("uninstalling the service: %w", err)
	}
	return path, nil
}

// StartService starts the installed service; a running one is left alone.
func StartService() error {
	if err := supported(); err != nil {
		return err
	}
	return control(ServiceRunning)
}

// StopService stops the installed service until it is started again or the
// user logs in again; a stopped one is left alone.
func StopService() error {
	if err := supported(); err != nil {
		return err
	}
	return control(ServiceStopped)
}

// control brings the installed service to want, ServiceRunning or
// ServiceStopped, on a supported system.
func control(want ServiceState) error {
	st, err := query()
	if err != nil || st.State == want {
		return err
	}
	s, _, err := installed()
	if err != nil {
		return err
	}
	if want == ServiceRunning {
		err = s.Start()
	} else {
		err = s.Stop()
	}
	if err != nil {
		return fmt.Errorf("changing the service to %s: %w", want, err)
	}
	return nil
}

// installed returns a handle on the installed service, or ErrNotInstalled.
func installed() (kardianos.Service, string, error) {
	path, ok, err := installedUnit()
	if err != nil {
		return nil, path, err
	}
	if !ok {
		return nil, path, ErrNotInstalled
	}
	s, err := kardianos.New(program{}, baseConfig())
	return s, path, err
}

// installedUnit returns the unit or plist path and whether it exists.
func installedUnit() (string, bool, error) {
	path, err := unitPath()
	if err != nil {
		return "", false, err
	}
	_, err = os.Stat(path)
	switch {
	case err == nil:
		return path, true, nil
	case errors.Is(err, fs.ErrNotExist):
		return path, false, nil
	}
	return path, false, err
}

// baseConfig is enough for kardianos to find, query, start, stop and remove
// the service; prepareInstall adds what Install needs.
func baseConfig() *kardianos.Config {
	return &kardianos.Config{
		Name:        ServiceName,
		DisplayName: serviceDisplayName,
		Description: serviceDisplayName,
		Option:      kardianos.KeyValue{"UserService": true},
	}
}

// program satisfies kardianos.Interface. MCPlex never calls Run: the
// service is `mcplex serve`, which needs no service wrapper on macOS or
// Linux, so this process only installs and controls it.
type program struct{}

func (program) Start(kardianos.Service) error { return nil }
func (program) Stop(kardianos.Service) error  { return nil }
