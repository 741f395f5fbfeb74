package imapd

import (
	"slices"

	"github.com/emersion/go-imap/v2"
)

// msgRef is a message as the session sees it: its sequence number in the
// session's view and its UID.
type msgRef struct {
	seq uint32
	uid uint32
}

func uidsOf(refs []msgRef) []uint32 {
	out := make([]uint32, len(refs))
	for i, r := range refs {
		out[i] = r.uid
	}
	return out
}

func seqByUID(refs []msgRef) map[uint32]uint32 {
	m := make(map[uint32]uint32, len(refs))
	for _, r := range refs {
		m[r.uid] = r.seq
	}
	return m
}

// resolveAll returns every message visible to the session, in sequence
// order.
func (s *session) resolveAll() []msgRef {
	live, tr := s.sel.live, s.sel.tracker
	live.mu.Lock()
	defer live.mu.Unlock()
	out := make([]msgRef, 0, len(live.uids))
	for i, uid := range live.uids {
		if seq := tr.EncodeSeqNum(uint32(i) + 1); seq != 0 {
			out = append(out, msgRef{seq: seq, uid: uid})
		}
	}
	return out
}

// resolve turns a sequence set, UID set or the SEARCHRES marker into the
// visible messages it names, in sequence order, without duplicates.
// Numbers that name no message are ignored (RFC 9051 §6.4.8 lets UID sets
// name absent UIDs).
func (s *session) resolve(set imap.NumSet) []msgRef {
	if imap.IsSearchRes(set) {
		var uids imap.UIDSet
		uids.AddNum(toUIDs(s.sel.searchRes)...)
		if len(uids) == 0 {
			return nil
		}
		set = uids
	}
	live, tr := s.sel.live, s.sel.tracker
	live.mu.Lock()
	defer live.mu.Unlock()
	var out []msgRef
	switch set := set.(type) {
	case imap.SeqSet:
		highest := s.sessionMaxLocked()
		for _, r := range set {
			start, stop := staticRange(r.Start, r.Stop, highest)
			stop = min(stop, highest) // the session knows no higher number
			for seq := max(start, 1); seq <= stop; seq++ {
				cur := tr.DecodeSeqNum(seq)
				if cur == 0 || int(cur) > len(live.uids) {
					continue
				}
				out = append(out, msgRef{seq: seq, uid: live.uids[cur-1]})
			}
		}
	case imap.UIDSet:
		var maxUID uint32
		if n := len(live.uids); n > 0 {
			maxUID = live.uids[n-1]
		}
		for _, r := range set {
			start, stop := staticRange(uint32(r.Start), uint32(r.Stop), maxUID)
			i, _ := slices.BinarySearch(live.uids, start)
			for ; i < len(live.uids) && live.uids[i] <= stop; i++ {
				if seq := tr.EncodeSeqNum(uint32(i) + 1); seq != 0 {
					out = append(out, msgRef{seq: seq, uid: live.uids[i]})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b msgRef) int { return int(a.seq) - int(b.seq) })
	return slices.CompactFunc(out, func(a, b msgRef) bool { return a.seq == b.seq })
}

// sessionMaxLocked is the highest sequence number the session knows.
func (s *session) sessionMaxLocked() uint32 {
	live, tr := s.sel.live, s.sel.tracker
	for i := len(live.uids); i > 0; i-- {
		if seq := tr.EncodeSeqNum(uint32(i)); seq != 0 {
			return seq
		}
	}
	return 0
}

// staticRange replaces "*" (0) by max and orders the bounds (RFC 9051
// §6.4.8: n:* with n above the highest names the highest).
func staticRange(start, stop, highest uint32) (uint32, uint32) {
	if start == 0 {
		start = highest
	}
	if stop == 0 {
		stop = highest
	}
	if start > stop {
		start, stop = stop, start
	}
	return start, stop
}

func toUIDs(v []uint32) []imap.UID {
	out := make([]imap.UID, len(v))
	for i, u := range v {
		out[i] = imap.UID(u)
	}
	return out
}
