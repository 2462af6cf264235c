package main

// One simulated Spear user, speaking PROTOCOL.md over engine.io v4 websockets
// the way the SDK (libs/client) does: a ticket per connection, `ready`,
// `msg` acked (batched) and deduplicated by id, `send` with an ack, and on a
// lost connection a new ticket after 200-400 ms that names the lost node in
// `avoid` unless the server closed it (then the node is alive). Unlike the
// SDK, a `migrate` closes the connection first and reconnects after the wait
// the server asked for (the SDK keeps the old one until the new one is ready):
// the fault test drains no node.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	callTimeout  = 10 * time.Second
	avoidFor     = 10 * time.Second
	backoffMinMs = 200
	backoffMaxMs = 2000
	// The most ids one `ack` event may carry (PROTOCOL's limit, the SDK's MAX_ACK_IDS).
	maxAckIDs = 1000
	// engine.io's defaults on spear (pingInterval + pingTimeout): a silent connection is dead after this.
	silenceLimit = 45 * time.Second
)

var httpClient = &http.Client{
	Timeout:   callTimeout,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64},
}

type ackResult struct {
	id   string
	code string
}

type client struct {
	uid, token, ticketURL string

	mu       sync.Mutex
	conn     *wsConn
	node     string
	readyAt  int64
	ready    chan struct{} // closed while connected; replaced when the connection is lost
	pending  map[int]chan ackResult
	nextAck  int
	received map[string]struct{}
	order    []string
	avoid    map[string]time.Time
	attempts int
	failures map[string]int
	unacked  []string // msg ids to ack once the socket has nothing more buffered
}

func newClient(uid, token, ticketURL string) *client {
	return &client{uid: uid, token: token, ticketURL: ticketURL, ready: make(chan struct{}), pending: map[int]chan ackResult{}, received: map[string]struct{}{}, avoid: map[string]time.Time{}, failures: map[string]int{}}
}

// run connects, then keeps the client connected until the process ends. `first` gets the first outcome.
func (c *client) run(first chan<- error, giveUpAt time.Time) {
	failed := 0 // attempts failed in a row, for the backoff
	for {
		if err := c.connectOnce(); err != nil {
			if first != nil && time.Now().After(giveUpAt) {
				first <- err
				return
			}
			c.countAttempt(codeOf(err))
			time.Sleep(backoff(failed))
			failed++
			continue
		}
		failed = 0
		if first != nil {
			first <- nil
			first = nil
		}
		serverClosed, wait := c.serve()
		if !serverClosed {
			c.avoidNode(c.currentNode())
		}
		if wait == 0 {
			wait = backoff(0)
		}
		c.countAttempt("")
		time.Sleep(wait)
	}
}

func backoff(attempt int) time.Duration {
	ceiling := backoffMinMs << uint(attempt+1)
	if attempt > 10 || ceiling > backoffMaxMs {
		ceiling = backoffMaxMs
	}
	return time.Duration(backoffMinMs+rand.Intn(ceiling-backoffMinMs+1)) * time.Millisecond
}

type spearError struct{ code, message string }

func (e *spearError) Error() string { return e.code + ": " + e.message }

func codeOf(err error) string {
	var se *spearError
	if errors.As(err, &se) {
		return se.code
	}
	return "network"
}

func (c *client) countAttempt(failure string) {
	c.mu.Lock()
	c.attempts++
	if failure != "" {
		c.failures[failure]++
	}
	c.mu.Unlock()
}

func (c *client) avoidNode(node string) {
	if node == "" {
		return
	}
	c.mu.Lock()
	c.avoid[node] = time.Now().Add(avoidFor)
	c.mu.Unlock()
}

func (c *client) currentNode() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.node
}

type ticketAnswer struct {
	Ticket string `json:"ticket"`
	Node   struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	} `json:"node"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *client) fetchTicket() (*ticketAnswer, error) {
	request := map[string]any{"uid": c.uid, "token": c.token}
	now := time.Now()
	c.mu.Lock()
	avoid := []string{}
	for node, until := range c.avoid {
		if now.Before(until) {
			avoid = append(avoid, node)
		} else {
			delete(c.avoid, node)
		}
	}
	c.mu.Unlock()
	if len(avoid) > 0 {
		request["avoid"] = avoid // sent only when non-empty, as the SDK does
	}
	body, _ := json.Marshal(request)
	res, err := httpClient.Post(c.ticketURL+"/v1/tickets", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, &spearError{"network", err.Error()}
	}
	defer res.Body.Close()
	var answer ticketAnswer
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		return nil, &spearError{"internal", fmt.Sprintf("ticket answered HTTP %d without a body", res.StatusCode)}
	}
	if res.StatusCode != 200 || answer.Ticket == "" {
		if answer.Error != nil {
			return nil, &spearError{answer.Error.Code, answer.Error.Message}
		}
		return nil, &spearError{"internal", fmt.Sprintf("ticket answered HTTP %d", res.StatusCode)}
	}
	return &answer, nil
}

// connectOnce: a ticket, the websocket, socket.io CONNECT with the ticket, then `ready`.
func (c *client) connectOnce() error {
	ticket, err := c.fetchTicket()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(callTimeout)
	conn, err := dialWebsocket(hostOf(ticket.Node.URL), "/socket.io/?EIO=4&transport=websocket", deadline)
	if err != nil {
		c.avoidNode(ticket.Node.ID) // never reached: likely down
		return &spearError{"network", err.Error()}
	}
	node, err := handshake(conn, ticket.Ticket)
	if err != nil {
		conn.close()
		if codeOf(err) == "network" {
			c.avoidNode(ticket.Node.ID) // cut off before `ready`: as likely down as one never reached
		}
		return err
	}
	conn.conn.SetDeadline(time.Time{})
	c.mu.Lock()
	c.conn, c.node, c.readyAt = conn, node, time.Now().UnixMilli()
	delete(c.avoid, node)
	close(c.ready)
	c.mu.Unlock()
	return nil
}

func handshake(conn *wsConn, ticket string) (string, error) {
	open, err := conn.readText()
	if err != nil || !strings.HasPrefix(open, "0") {
		return "", &spearError{"network", "no engine.io open packet"}
	}
	auth, _ := json.Marshal(map[string]string{"ticket": ticket})
	if err := conn.writeText("40" + string(auth)); err != nil {
		return "", &spearError{"network", err.Error()}
	}
	for {
		packet, err := conn.readText()
		if err != nil {
			return "", &spearError{"network", err.Error()}
		}
		switch {
		case packet == "2":
			conn.writeText("3")
		case strings.HasPrefix(packet, "44"):
			var refusal struct{ Message string }
			json.Unmarshal([]byte(packet[2:]), &refusal)
			if refusal.Message == "" {
				refusal.Message = "network"
			}
			return "", &spearError{refusal.Message, "connect refused"}
		case strings.HasPrefix(packet, "42"):
			name, payload := event(packet)
			if name == "ready" {
				var ready struct{ Node string }
				json.Unmarshal(payload, &ready)
				return ready.Node, nil
			}
		}
	}
}

// event splits `42[<ack id>]["name", payload]`.
func event(packet string) (string, json.RawMessage) {
	body := strings.TrimLeft(packet[2:], "0123456789")
	var parts []json.RawMessage
	if json.Unmarshal([]byte(body), &parts) != nil || len(parts) == 0 {
		return "", nil
	}
	var name string
	json.Unmarshal(parts[0], &name)
	if len(parts) < 2 {
		return name, nil
	}
	return name, parts[1]
}

// serve reads until the connection ends: whether the server ended it (a disconnect or migrate), and how long it asked to wait.
func (c *client) serve() (bool, time.Duration) {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	serverClosed, wait := c.readLoop(conn)
	conn.close()
	c.mu.Lock()
	c.conn = nil
	c.ready = make(chan struct{})
	for id, waiter := range c.pending {
		waiter <- ackResult{code: "disconnected"}
		delete(c.pending, id)
	}
	c.unacked = nil
	c.mu.Unlock()
	return serverClosed, wait
}

func (c *client) readLoop(conn *wsConn) (bool, time.Duration) {
	for {
		conn.conn.SetReadDeadline(time.Now().Add(silenceLimit))
		packet, err := conn.readText()
		if err != nil {
			return false, 0
		}
		switch {
		case packet == "2":
			conn.writeText("3")
		case packet == "1" || strings.HasPrefix(packet, "41"):
			return true, 0
		case strings.HasPrefix(packet, "42"):
			name, payload := event(packet)
			switch name {
			case "msg":
				var msg struct{ ID string }
				json.Unmarshal(payload, &msg)
				c.mu.Lock()
				if _, seen := c.received[msg.ID]; !seen {
					c.received[msg.ID] = struct{}{}
					c.order = append(c.order, msg.ID)
				}
				c.unacked = append(c.unacked, msg.ID)
				c.mu.Unlock()
			case "migrate":
				var migrate struct{ RetryAfterMs float64 }
				json.Unmarshal(payload, &migrate)
				wait := time.Duration(migrate.RetryAfterMs) * time.Millisecond
				if wait < 0 {
					wait = 0
				}
				jitter := wait
				if jitter < backoffMinMs*time.Millisecond {
					jitter = backoffMinMs * time.Millisecond
				}
				return true, wait + time.Duration(rand.Int63n(int64(jitter)+1))
			}
		case strings.HasPrefix(packet, "43"):
			digits := packet[2:]
			end := strings.IndexByte(digits, '[')
			if end < 0 {
				continue
			}
			id, _ := strconv.Atoi(digits[:end])
			var answers []struct {
				OK    bool   `json:"ok"`
				ID    string `json:"id"`
				Error *struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			json.Unmarshal([]byte(digits[end:]), &answers)
			result := ackResult{code: "internal"}
			if len(answers) > 0 && answers[0].OK {
				result = ackResult{id: answers[0].ID}
			} else if len(answers) > 0 && answers[0].Error != nil {
				result = ackResult{code: answers[0].Error.Code}
			}
			c.mu.Lock()
			if waiter, ok := c.pending[id]; ok {
				waiter <- result
				delete(c.pending, id)
			}
			c.mu.Unlock()
		}
		if !conn.buffered() {
			c.flushAcks(conn)
		}
	}
}

// flushAcks acks every msg received since the last flush in one `ack` event (at-least-once: a lost ack means a redelivery).
func (c *client) flushAcks(conn *wsConn) {
	c.mu.Lock()
	ids := c.unacked
	c.unacked = nil
	c.mu.Unlock()
	seen := map[string]bool{}
	batch := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			batch = append(batch, id)
		}
	}
	for len(batch) > 0 {
		n := len(batch)
		if n > maxAckIDs {
			n = maxAckIDs
		}
		payload, _ := json.Marshal([]any{"ack", map[string][]string{"ids": batch[:n]}})
		conn.writeText("42" + string(payload))
		batch = batch[n:]
	}
}

// send emits `send {to, body}` once connected and waits for its ack, both within callTimeout.
func (c *client) send(to string, body any) ackResult {
	deadline := time.After(callTimeout)
	c.mu.Lock()
	ready := c.ready
	c.mu.Unlock()
	select {
	case <-ready:
	case <-deadline:
		return ackResult{code: "timeout"}
	}
	waiter := make(chan ackResult, 1)
	c.mu.Lock()
	conn := c.conn
	if conn == nil {
		c.mu.Unlock()
		return ackResult{code: "disconnected"}
	}
	c.nextAck++
	id := c.nextAck
	c.pending[id] = waiter
	c.mu.Unlock()
	payload, _ := json.Marshal([]any{"send", map[string]any{"to": to, "body": body}})
	if err := conn.writeText("42" + strconv.Itoa(id) + string(payload)); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return ackResult{code: "disconnected"}
	}
	select {
	case result := <-waiter:
		return result
	case <-deadline:
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return ackResult{code: "timeout"}
	}
}
