# tests/ref/gen_spearman.R - what R's cor.test says about Spearman trends.
#
# Writes tests/ref/spearman_r.csv: per case its values (in order), n,
# whether they have ties, and R's cor.test(x, 1:n, method = "spearman")
# rho, S and two-sided p-value with R's defaults (AS 89: exact enumeration
# for n <= 9, Edgeworth series for 10 <= n <= 1290, both without ties;
# the t approximation on n-2 df with ties or beyond 1290). The file is
# committed; tests/ref/gen_stats.py checks it against scipy and copies it
# into stats_ref.h for tests/unit/test_stats.c. R is needed only to
# regenerate it (Debian: r-base-core).
#
# Run: Rscript tests/ref/gen_spearman.R > tests/ref/spearman_r.csv

set.seed(20261202, kind = "Mersenne-Twister", normal.kind = "Inversion",
         sample.kind = "Rejection")

cases <- list()
add <- function(name, x) cases[[length(cases) + 1]] <<- list(name = name, x = x)

# Ranks of a trend plus noise: distinct integers, strength set by slope.
trend_ranks <- function(n, slope) rank(slope * seq_len(n) + rnorm(n))

# exact enumeration (n <= 9): a random order, a trend, the extremes
for (n in 3:9) {
  add(sprintf("perm%d", n), sample(n))
  add(sprintf("trend%d", n), trend_ranks(n, 0.3))
  add(sprintf("up%d", n), seq_len(n))
  add(sprintf("down%d", n), rev(seq_len(n)))
}
add("s2_9", c(2, 1, 3:9)) # S = 2, the smallest nonzero statistic
# Edgeworth series (10 <= n <= 1290)
for (n in c(10, 11, 12, 15, 20, 25, 30, 40, 50)) {
  add(sprintf("perm%d", n), sample(n))
  add(sprintf("trend%d", n), trend_ranks(n, 4 / n))
  add(sprintf("strong%d", n), trend_ranks(n, 10 / n))
}
add("up10", seq_len(10))       # far tail: the series overshoots, p = 0
add("down30", rev(seq_len(30)))
add("perm1290", sample(1290))  # the last n with AS 89
add("trend1290", trend_ranks(1290, 0.0005))
# t approximation: ties, and n beyond 1290
add("ties8", round(rnorm(8, 10, 1)))
add("ties12", c(5, 5, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9))
add("ties30", round(0.1 * seq_len(30) + rnorm(30, 20, 2)))
add("ties3", c(1, 1, 2))
add("perm1291", sample(1291))
add("trend2000", trend_ranks(2000, 0.0004))
add("ties2000", round(rnorm(2000, 50, 5) + 0.001 * seq_len(2000)))

cat("name,n,ties,rho,S,p,values\n")
for (k in cases) {
  x <- k$x
  n <- length(x)
  r <- suppressWarnings(cor.test(x, seq_len(n), method = "spearman"))
  cat(sprintf("%s,%d,%d,%.17g,%.17g,%.17g,%s\n", k$name, n,
              as.integer(length(unique(x)) < n), r$estimate, r$statistic,
              r$p.value, paste(sprintf("%.17g", x), collapse = " ")))
}
