// The Go original, re-created for the bench: a time.Ticker counter driven by
// signal.Notify, printing the original's exact lines. Two flags exist only so
// the bench can drive it: --interval (seconds; the original ticks every 1 s)
// and --ready (one stderr line once signal.Notify has been called, the
// moment from which a SIGUSR1 no longer kills it). The original takes no
// options at all.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	interval := flag.Float64("interval", 1, "seconds between ticks")
	ready := flag.Bool("ready", false, "say on stderr when signals are handled")
	flag.Parse()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM, syscall.SIGINT)
	ticker := time.NewTicker(time.Duration(*interval * float64(time.Second)))
	defer ticker.Stop()
	if *ready {
		fmt.Fprintf(os.Stderr, "go_sigcounter: pid %d ready\n", os.Getpid())
	}

	count := 0
	for {
		select {
		case <-ticker.C:
			count++
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR1:
				fmt.Printf("Ticker count: %d\n", count)
			case syscall.SIGUSR2:
				fmt.Println("Resetting ticker count to zero")
				count = 0
			case syscall.SIGTERM, syscall.SIGINT:
				fmt.Printf("received %v — shutting down\n", sig)
				return
			}
		}
	}
}
