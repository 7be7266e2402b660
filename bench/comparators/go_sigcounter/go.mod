module go_sigcounter

go 1.19
