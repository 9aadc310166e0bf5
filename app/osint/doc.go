// Package osint is MCPlex's OS integration: the gateway as a per-user
// service, the tray app as a login item, and a stable place on disk for the
// executable that both of those (and every client config) point at.
//
// The service is a macOS LaunchAgent or a Linux systemd user unit, managed
// through github.com/kardianos/service with our own unit and plist (see
// [InstallService]). Windows has no per-user services, and a system service
// would run as LocalSystem in session 0, so there the gateway is the tray's
// child process and every service function returns an [*UnsupportedError]
// saying so; Linux without a systemd user manager gets the same treatment.
//
// [Autostart] registers the tray app to start at login (a LaunchAgent, an XDG
// autostart entry or the HKCU Run key). [StableExecutable], [IsTransient] and
// [InstallSelf] keep client configs and service files from pointing at a
// binary that lives in a download, a disk image or a translocated copy.
//
// Nothing here imports Fyne; the functions are safe for concurrent use, but
// two processes changing the same service or login item at once race as they
// would from a terminal.
package osint
