package archive

import "bytes"

// quote applies mboxrd quoting: every line that matches ^>*From  gets
// one more '>' in front.
func quote(raw []byte) []byte {
	return rewriteLines(raw, func(line []byte) []byte {
		if isFromLine(line) {
			return append([]byte{'>'}, line...)
		}
		return line
	})
}

// unquote undoes quote: a line that matches ^>+From  loses one '>'.
func unquote(quoted []byte) []byte {
	return rewriteLines(quoted, func(line []byte) []byte {
		if len(line) > 0 && line[0] == '>' && isFromLine(line[1:]) {
			return line[1:]
		}
		return line
	})
}

// isFromLine reports whether line matches ^>*From .
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// rewriteLines applies fn to each line of b (line ends kept) and returns
// the result, b itself when nothing changed.
func rewriteLines(b []byte, fn func([]byte) []byte) []byte {
	var out []byte
	for off := 0; off < len(b); {
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			end = len(b)
		} else {
			end += off + 1
		}
		line := b[off:end]
		nl := fn(line)
		if out == nil && len(nl) != len(line) {
			out = append(make([]byte, 0, len(b)+16), b[:off]...)
		}
		if out != nil {
			out = append(out, nl...)
		}
		off = end
	}
	if out == nil {
		return b
	}
	return out
}
