package main

// A minimal RFC 6455 websocket client: enough for engine.io's text frames.
// Go's standard library has none, and a module download is one more thing
// CI would need; this is ~100 lines and only what the fleet uses.

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

type wsConn struct {
	conn    net.Conn
	reader  *bufio.Reader
	writeMu sync.Mutex
}

// dialWebsocket opens ws://host/path; the handshake must finish by deadline.
func dialWebsocket(host, path string, deadline time.Time) (*wsConn, error) {
	conn, err := net.DialTimeout("tcp", host, time.Until(deadline))
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(deadline)
	nonce := make([]byte, 16)
	rand.Read(nonce)
	key := base64.StdEncoding.EncodeToString(nonce)
	request := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(conn, request); err != nil {
		conn.Close()
		return nil, err
	}
	reader := bufio.NewReaderSize(conn, 4096)
	response, err := http.ReadResponse(reader, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	if response.StatusCode != 101 || response.Header.Get("Sec-Websocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		conn.Close()
		return nil, fmt.Errorf("websocket upgrade refused: HTTP %d", response.StatusCode)
	}
	return &wsConn{conn: conn, reader: reader}, nil
}

// writeText sends one masked text frame (clients must mask). Safe for concurrent use.
func (w *wsConn) writeText(text string) error {
	return w.writeFrame(0x1, []byte(text))
}

func (w *wsConn) writeFrame(opcode byte, payload []byte) error {
	header := make([]byte, 0, 14+len(payload))
	header = append(header, 0x80|opcode)
	switch n := len(payload); {
	case n < 126:
		header = append(header, 0x80|byte(n))
	case n < 1<<16:
		header = append(header, 0x80|126, byte(n>>8), byte(n))
	default:
		header = append(header, 0x80|127)
		header = binary.BigEndian.AppendUint64(header, uint64(n))
	}
	var mask [4]byte
	rand.Read(mask[:])
	header = append(header, mask[:]...)
	for i, b := range payload {
		header = append(header, b^mask[i%4])
	}
	w.writeMu.Lock()
	defer w.writeMu.Unlock()
	// A peer that stops reading must not hold a sender past its call timeout.
	w.conn.SetWriteDeadline(time.Now().Add(callTimeout))
	_, err := w.conn.Write(header)
	return err
}

var errClosedByPeer = errors.New("websocket closed by the server")

// readText returns the next text message, answering pings; binary messages are skipped.
func (w *wsConn) readText() (string, error) {
	var message []byte
	for {
		var head [2]byte
		if _, err := io.ReadFull(w.reader, head[:]); err != nil {
			return "", err
		}
		fin, opcode := head[0]&0x80 != 0, head[0]&0x0f
		length := uint64(head[1] & 0x7f)
		switch length {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(w.reader, ext[:]); err != nil {
				return "", err
			}
			length = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			if _, err := io.ReadFull(w.reader, ext[:]); err != nil {
				return "", err
			}
			length = binary.BigEndian.Uint64(ext[:])
		}
		if length > 64<<20 {
			return "", fmt.Errorf("websocket frame of %d bytes refused", length)
		}
		payload := make([]byte, length)
		if _, err := io.ReadFull(w.reader, payload); err != nil {
			return "", err
		}
		switch opcode {
		case 0x8:
			return "", errClosedByPeer
		case 0x9:
			if err := w.writeFrame(0xA, payload); err != nil {
				return "", err
			}
			continue
		case 0xA:
			continue
		}
		message = append(message, payload...)
		if !fin {
			continue
		}
		if opcode == 0x2 {
			message = nil
			continue
		}
		return string(message), nil
	}
}

// buffered says whether another frame is already read from the socket (acks are flushed when not).
func (w *wsConn) buffered() bool {
	return w.reader.Buffered() > 0
}

func (w *wsConn) close() {
	w.conn.Close()
}

// hostOf turns a node URL (http://127.0.0.1:8101) into host:port.
func hostOf(url string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(url, "http://"), "https://"), "/")
}
