package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionString(t *testing.T) {
	built := &debug.BuildInfo{
		Main:     debug.Module{Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}},
	}
	goSuffix := " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		override string
		info     *debug.BuildInfo
		want     string
	}{
		{"", built, "bouncer v1.4.0 (commit 0123456789ab+dirty)" + goSuffix},
		{"v2.0.0-rc1", built, "bouncer v2.0.0-rc1 (commit 0123456789ab+dirty)" + goSuffix},
		{"", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "bouncer (devel)" + goSuffix},
		{"", nil, "bouncer (unknown)" + goSuffix},
	}
	for _, tt := range tests {
		if got := versionString(tt.override, tt.info); got != tt.want {
			t.Errorf("versionString(%q, …) = %q, want %q", tt.override, got, tt.want)
		}
	}
	out, _, code := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "bouncer ") {
		t.Errorf("bouncer version: exit %d, %q", code, out)
	}
}
