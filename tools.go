//go:build tools

// This file pins modules that packages being written now will import.
package main

import (
	_ "github.com/kardianos/service"
	_ "github.com/tailscale/hujson"
)
