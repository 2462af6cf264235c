// Command fleet holds thousands of simulated Spear users for the fault
// suite's node kill (test/support/fleet.ts starts it). Node's socket.io
// client spends ~2 ms of CPU per (re)connect; on a 2-CPU machine that made the
// test measure its own clients more than the servers. This one speaks the same
// protocol for a small fraction of that.
//
// Requests are JSON lines on stdin, each answered by one JSON line on stdout,
// in order (the same requests as test/support/fleet-worker.ts):
//
//	connect       {ticketUrl, users: [{uid, token}]}
//	status        {node}: connected per node; for the clients on `node` at the
//	              first such request, when each was connected elsewhere (ms)
//	traffic       {senders, intervalMs, targets}
//	stop-traffic  every send's outcome
//	received      the message ids each user got (duplicates dropped)
package main

import (
	"bufio"
	"encoding/json"
	"math/rand"
	"os"
	"sync"
	"time"
)

type user struct {
	UID   string `json:"uid"`
	Token string `json:"token"`
}

type request struct {
	Type       string   `json:"type"`
	TicketURL  string   `json:"ticketUrl"`
	Users      []user   `json:"users"`
	Node       string   `json:"node"`
	Senders    int      `json:"senders"`
	IntervalMs int      `json:"intervalMs"`
	Targets    []string `json:"targets"`
}

type sendOutcome struct {
	To   string `json:"to"`
	At   int64  `json:"at"`
	ID   string `json:"id,omitempty"`
	Code string `json:"code,omitempty"`
}

type fleet struct {
	clients []*client
	watched []*client
	watch   string

	sendsMu sync.Mutex
	sends   []sendOutcome
	traffic chan struct{} // closed to stop the senders
	senders sync.WaitGroup
}

func main() {
	out := json.NewEncoder(os.Stdout)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	// Go before 1.20 starts math/rand from the same seed in every process.
	rand.Seed(time.Now().UnixNano())
	f := &fleet{sends: []sendOutcome{}}
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			out.Encode(map[string]string{"error": "bad request: " + err.Error()})
			continue
		}
		out.Encode(f.handle(r))
	}
	// stdin closed: the test is gone.
	os.Exit(0)
}

func (f *fleet) handle(r request) any {
	switch r.Type {
	case "connect":
		if err := f.connect(r.TicketURL, r.Users); err != nil {
			return map[string]string{"error": err.Error()}
		}
		return map[string]any{"ok": true, "connected": len(f.clients)}
	case "status":
		return f.status(r.Node)
	case "traffic":
		if len(r.Targets) == 0 || r.Senders < 0 || r.IntervalMs <= 0 {
			return map[string]string{"error": "traffic needs targets, senders >= 0 and intervalMs > 0"}
		}
		f.stopSenders()
		f.startTraffic(r.Senders, time.Duration(r.IntervalMs)*time.Millisecond, r.Targets)
		return map[string]bool{"ok": true}
	case "stop-traffic":
		f.stopSenders()
		f.senders.Wait()
		f.sendsMu.Lock()
		defer f.sendsMu.Unlock()
		return map[string]any{"sends": f.sends}
	case "received":
		received := map[string][]string{}
		for _, c := range f.clients {
			c.mu.Lock()
			received[c.uid] = append([]string{}, c.order...)
			c.mu.Unlock()
		}
		return map[string]any{"received": received}
	}
	return map[string]string{"error": "unknown request " + r.Type}
}

// connect starts every user (at most 100 connecting at once) and returns once all are connected.
func (f *fleet) connect(ticketURL string, users []user) error {
	giveUpAt := time.Now().Add(60 * time.Second)
	lanes := make(chan struct{}, 100)
	results := make(chan error, len(users))
	for _, u := range users {
		c := newClient(u.UID, u.Token, ticketURL)
		f.clients = append(f.clients, c)
		lanes <- struct{}{}
		first := make(chan error, 1)
		go c.run(first, giveUpAt)
		go func() {
			err := <-first
			<-lanes
			results <- err
		}()
	}
	var firstErr error
	for range users {
		if err := <-results; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

type status struct {
	Connected int            `json:"connected"`
	ByNode    map[string]int `json:"byNode"`
	MovedAt   []int64        `json:"movedAt"`
	Attempts  int            `json:"attempts"`
	Failures  map[string]int `json:"failures"`
}

func (f *fleet) status(node string) status {
	if node != "" && f.watched == nil {
		f.watch = node
		f.watched = []*client{}
		for _, c := range f.clients {
			c.mu.Lock()
			if c.conn != nil && c.node == node {
				f.watched = append(f.watched, c)
			}
			c.mu.Unlock()
		}
	}
	s := status{ByNode: map[string]int{}, MovedAt: []int64{}, Failures: map[string]int{}}
	for _, c := range f.clients {
		c.mu.Lock()
		if c.conn != nil {
			s.Connected++
			s.ByNode[c.node]++
		}
		s.Attempts += c.attempts
		for code, n := range c.failures {
			s.Failures[code] += n
		}
		c.mu.Unlock()
	}
	for _, c := range f.watched {
		c.mu.Lock()
		moved := int64(0)
		if c.conn != nil && c.node != f.watch {
			moved = c.readyAt
		}
		c.mu.Unlock()
		s.MovedAt = append(s.MovedAt, moved)
	}
	return s
}

// stopSenders tells the running senders, if any, to stop after their current send.
func (f *fleet) stopSenders() {
	if f.traffic != nil {
		close(f.traffic)
		f.traffic = nil
	}
}

// startTraffic: the first `senders` clients each send to a random target every `interval` until stop-traffic.
func (f *fleet) startTraffic(senders int, interval time.Duration, targets []string) {
	f.traffic = make(chan struct{})
	stop := f.traffic
	for i := 0; i < senders && i < len(f.clients); i++ {
		c := f.clients[i]
		f.senders.Add(1)
		go func() {
			defer f.senders.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				to := targets[rand.Intn(len(targets))]
				at := time.Now().UnixMilli()
				result := c.send(to, map[string]int64{"at": at})
				f.sendsMu.Lock()
				f.sends = append(f.sends, sendOutcome{To: to, At: at, ID: result.id, Code: result.code})
				f.sendsMu.Unlock()
				select {
				case <-stop:
					return
				case <-time.After(interval):
				}
			}
		}()
	}
}
