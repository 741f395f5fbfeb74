package imapd

import (
	"bytes"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/message"
	"mailnet/storage"
)

// fetchChunk is how many messages are read from storage at a time, so a
// FETCH 1:* on a large mailbox keeps memory bounded.
const fetchChunk = 256

// Fetch answers FETCH and UID FETCH from the precomputed summaries, and
// reads bodies only when a section is asked for. A non-peek body section
// sets \Seen (RFC 9051 §6.4.5), and the new flags are then returned.
func (s *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	refs := s.resolve(numSet)
	want := storage.Want{
		Summary: options.Envelope || options.BodyStructure != nil,
		Raw:     len(options.BodySection) > 0 || len(options.BinarySection) > 0 || len(options.BinarySectionSize) > 0,
	}
	markSeen := !s.sel.readOnly && setsSeen(options)
	if want.Raw && len(refs) > 0 && s.sel.view.foreign() {
		// One entry per command, before any of the mail is sent.
		if err := s.audit("fetch", s.sel.view, uidsOf(refs)); err != nil {
			return s.fail("fetch", err)
		}
	}
	for start := 0; start < len(refs); start += fetchChunk {
		chunk := refs[start:min(start+fetchChunk, len(refs))]
		msgs, err := s.messages(uidsOf(chunk), want)
		if err != nil {
			return s.fail("fetch", err)
		}
		changed := map[uint32][]string{}
		if markSeen {
			if changed, err = s.markSeen(msgs); err != nil {
				return s.fail("fetch", err)
			}
		}
		bySeq := seqByUID(chunk)
		for i := range msgs {
			m := &msgs[i]
			flags, seenNow := changed[m.UID]
			if seenNow {
				m.Flags = flags
			}
			if err := s.writeFetch(w.CreateMessage(bySeq[m.UID]), m, options, seenNow); err != nil {
				return err
			}
		}
	}
	return nil
}

func setsSeen(options *imap.FetchOptions) bool {
	for _, bs := range options.BodySection {
		if !bs.Peek {
			return true
		}
	}
	for _, bs := range options.BinarySection {
		if !bs.Peek {
			return true
		}
	}
	return false
}

// markSeen adds \Seen to the messages that lack it and returns their new
// flags by UID.
func (s *session) markSeen(msgs []storage.Message) (map[uint32][]string, error) {
	var unseen []uint32
	for _, m := range msgs {
		if !hasFlag(m.Flags, storage.FlagSeen) {
			unseen = append(unseen, m.UID)
		}
	}
	out := make(map[uint32][]string, len(unseen))
	if len(unseen) == 0 {
		return out, nil
	}
	if !s.sel.view.personal() {
		if err := s.srv.deps.Store.SetSeenBy(s.ctx(), s.account.ID, s.sel.view.seenKey(), unseen, true); err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if slices.Contains(unseen, m.UID) {
				out[m.UID] = append(slices.Clone(m.Flags), storage.FlagSeen)
			}
		}
		return out, nil
	}
	changes, err := s.srv.deps.Store.StoreFlags(s.ctx(), s.sel.box.ID, unseen, storage.FlagsAdd, []string{storage.FlagSeen})
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		out[c.UID] = c.Flags
	}
	return out, nil
}

// writeFetch writes one message's FETCH response.
func (s *session) writeFetch(rw *imapserver.FetchResponseWriter, m *storage.Message, options *imap.FetchOptions, flagsChanged bool) error {
	if options.UID {
		rw.WriteUID(imap.UID(m.UID))
	}
	if options.Flags || flagsChanged {
		rw.WriteFlags(toIMAPFlags(m.Flags))
	}
	if options.InternalDate {
		rw.WriteInternalDate(m.InternalDate)
	}
	if options.RFC822Size {
		rw.WriteRFC822Size(m.Size)
	}
	if options.Envelope || options.BodyStructure != nil {
		sum, err := message.Unmarshal(m.Summary)
		if err != nil {
			s.log.Error("corrupt summary", "uid", m.UID, "blob", m.Blob.String(), "err", err)
			rw.Close()
			return errTemporary
		}
		if options.Envelope {
			rw.WriteEnvelope(sum.Envelope)
		}
		if options.BodyStructure != nil {
			rw.WriteBodyStructure(sum.Body)
		}
	}
	for _, item := range options.BodySection {
		data := bodySection(m.Raw, item)
		if err := writeLiteral(rw.WriteBodySection(item, int64(len(data))), data); err != nil {
			return err
		}
	}
	for _, item := range options.BinarySection {
		data := imapserver.ExtractBinarySection(bytes.NewReader(m.Raw), item)
		if err := writeLiteral(rw.WriteBinarySection(item, int64(len(data))), data); err != nil {
			return err
		}
	}
	for _, item := range options.BinarySectionSize {
		rw.WriteBinarySectionSize(item, imapserver.ExtractBinarySectionSize(bytes.NewReader(m.Raw), item))
	}
	return rw.Close()
}

type writeCloser interface {
	Write([]byte) (int, error)
	Close() error
}

func writeLiteral(w writeCloser, data []byte) error {
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// bodySection returns a BODY[...] section. The whole message, its header
// and its text are cut from the stored bytes as they are (RFC 9051
// §6.4.5: BODY[] is the message exactly as stored); parts inside the MIME
// structure are left to go-imap's extractor.
func bodySection(raw []byte, item *imap.FetchItemBodySection) []byte {
	if len(item.Part) > 0 {
		return imapserver.ExtractBodySection(bytes.NewReader(raw), item)
	}
	var data []byte
	switch item.Specifier {
	case imap.PartSpecifierNone:
		data = raw
	case imap.PartSpecifierHeader:
		data = raw[:message.HeaderEnd(raw)]
	case imap.PartSpecifierText:
		data = raw[message.HeaderEnd(raw):]
	default: // HEADER.FIELDS, HEADER.FIELDS.NOT, MIME
		return imapserver.ExtractBodySection(bytes.NewReader(raw), item)
	}
	return partial(data, item.Partial)
}

// partial applies a <offset.size> partial fetch.
func partial(data []byte, p *imap.SectionPartial) []byte {
	if p == nil {
		return data
	}
	if p.Offset >= int64(len(data)) {
		return nil
	}
	data = data[p.Offset:]
	if p.Size >= 0 && p.Size < int64(len(data)) {
		data = data[:p.Size]
	}
	return data
}
