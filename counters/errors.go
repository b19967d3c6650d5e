package counters

import "errors"

var (
	// ErrLocked is returned when another process held the store's lock
	// for longer than the open's timeout.
	ErrLocked = errors.New("store is locked by another process")
	// ErrEmpty is returned for a store file of zero bytes: a lost store,
	// which is never silently recreated.
	ErrEmpty = errors.New("store file is empty")
	// ErrCorrupt is returned when the store file is damaged or not a store.
	ErrCorrupt = errors.New("store is damaged")
	// ErrSymlink is returned when the store path is a symbolic link.
	ErrSymlink = errors.New("store path is a symbolic link")
	// ErrNotFile is returned when the store path is not a regular file.
	ErrNotFile = errors.New("store path is not a regular file")
)
