//go:build unix

package main

import (
	"io/fs"
	"os"
	"os/user"
	"slices"
	"strconv"
	"syscall"
)

// inOwnGroup reports whether fi's file belongs to a group this process runs
// in (its effective group or a supplementary one): a secret file readable by
// that group alone — 0640 root:bouncer for a service running as bouncer —
// is as private as 0600.
func inOwnGroup(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	gid := int(st.Gid)
	if gid == os.Getegid() {
		return true
	}
	groups, err := os.Getgroups()
	return err == nil && slices.Contains(groups, gid)
}

// fileGroup names fi's group (its number when the name is unknown).
func fileGroup(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "?"
	}
	gid := strconv.FormatUint(uint64(st.Gid), 10)
	if g, err := user.LookupGroupId(gid); err == nil {
		return g.Name
	}
	return gid
}
