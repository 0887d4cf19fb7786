//go:build !unix

package main

import "io/fs"

// inOwnGroup reports false: without Unix groups a group-readable secret
// file always warns.
func inOwnGroup(fs.FileInfo) bool { return false }

// fileGroup reports "?": there are no Unix groups to name.
func fileGroup(fs.FileInfo) string { return "?" }
