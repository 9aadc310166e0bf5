//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"

	"github.com/mcplex/mcplex/app"
)

// trayIcon is the tray icon of a gateway state.
func trayIcon(st app.State) fyne.Resource { return colorTrayIcon(st) }

// The tray here is a StatusNotifierItem: it shows only when a
// StatusNotifierWatcher on the session bus has a host (a panel) behind it.
// Without one, fyne.io/systray fails silently and the app would run with
// nothing on screen.
const (
	sniWatcher     = "org.kde.StatusNotifierWatcher"
	sniWatcherPath = "/StatusNotifierWatcher"
	trayHostWait   = 2 * time.Second

	noTrayHint    = "MCPlex stays in this window. On GNOME, install the \"AppIndicator and KStatusNotifierItem Support\" extension."
	noTrayNoHost  = "No system tray found (no StatusNotifier host on the session bus); " + noTrayHint
	noTrayNoBus   = "No system tray found (no D-Bus session bus); " + noTrayHint
	noTrayTimeout = "No system tray found (the D-Bus session bus did not answer); " + noTrayHint
)

// missingTrayHost says why a tray icon would not show, or "" when a
// StatusNotifier host is there. It waits at most trayHostWait.
func missingTrayHost() string {
	ctx, cancel := context.WithTimeout(context.Background(), trayHostWait)
	defer cancel()
	res := make(chan string, 1)
	go func() { res <- checkTrayHost(ctx) }()
	select {
	case r := <-res:
		return r
	case <-ctx.Done():
		return noTrayTimeout
	}
}

func checkTrayHost(ctx context.Context) string {
	// Never autolaunch a bus: a new one would have no tray host either.
	conn, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
	if err != nil {
		return noTrayNoBus
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return noTrayNoBus
	}
	if err := conn.Hello(); err != nil {
		return noTrayNoBus
	}
	var owned bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, sniWatcher).Store(&owned)
	if err != nil || !owned {
		return noTrayNoHost
	}
	// A watcher with no host registered (a panel that went away) shows
	// nothing either. A watcher that does not answer is given the benefit
	// of the doubt.
	var v dbus.Variant
	err = conn.Object(sniWatcher, sniWatcherPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		sniWatcher, "IsStatusNotifierHostRegistered").Store(&v)
	if registered, ok := v.Value().(bool); err == nil && ok && !registered {
		return noTrayNoHost
	}
	return ""
}
