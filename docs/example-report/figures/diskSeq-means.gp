# mean with 95% confidence interval per platform
# Written by virtbench 0.1.0; data in diskSeq-means.dat.
# Re-render from this directory with: gnuplot diskSeq-means.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'diskSeq-means.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set title "diskSeq: mean with 95% confidence interval" font 'Sans,14'
set ylabel "MiB/s (higher is better)"
set xtics ("native" 0, "docker" 1, "qemu" 2) scale 0 font 'Sans,12'
set xrange [-0.6:2.6]
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set format y '%.6g'
set key off
set style fill solid 0.85 border rgb '#333333'
set boxwidth 0.6
plot 'diskSeq-means.dat' using 1:3:6 with boxes lc rgb variable, \
     '' using 1:3:4:5:3 with candlesticks lc rgb '#000000' lw 2 whiskerbars 0.5 fs empty, \
     '' using 1:7:(sprintf("%s\nn=%d", strcol(8), int($9))) with labels offset 0,1.9 font 'Sans,11'
unset output
}
