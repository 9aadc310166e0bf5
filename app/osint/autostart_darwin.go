package osint

import "path/filepath"

func (a Autostart) path() (string, error) {
	home, err := a.home()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "Library", "LaunchAgents", autostartID+".plist"), nil
}

func entryFor(exe string) []byte { return loginAgent(exe).plist() }

// entryEnabled: the user turns a LaunchAgent off in System Settings, which
// does not change the file, so a plist that exists is on.
func entryEnabled([]byte) bool { return true }
