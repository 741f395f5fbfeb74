package storage

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pageSize is the operating system's memory page size.
var pageSize = uintptr(os.Getpagesize())

// releasePages tells the kernel the process no longer needs the whole
// pages of the memory-mapped store that b lies on (MADV_DONTNEED). bbolt
// maps the file read-only and shared, so this only drops the mapping:
// the data stays in the page cache and a later read faults it back in.
// Pages b only partly covers are kept, since other values share them.
func releasePages(b []byte) {
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	end := start + uintptr(len(b))
	first := (start + pageSize - 1) &^ (pageSize - 1)
	last := end &^ (pageSize - 1)
	if last <= first {
		return
	}
	region := b[first-start : last-start]
	// Advice only: an error changes nothing for correctness.
	_ = unix.Madvise(region, unix.MADV_DONTNEED)
}
