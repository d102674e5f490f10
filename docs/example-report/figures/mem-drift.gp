# samples in run order relative to each platform's mean (drift)
# Written by virtbench 0.1.0; data in mem-drift.dat.
# Re-render from this directory with: gnuplot mem-drift.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'mem-drift.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set title "mem: samples in run order (drift)" font 'Sans,14'
set xlabel 'sample number (runs by start time, then repetition)'
set ylabel '% of the platform''s mean'
set format y '%g'
set offsets 0, 0, graph 0.05, graph 0.05
set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2 lc rgb '#555555'
set key at screen 0.5, screen 0.01 center bottom horizontal maxcols 3 font 'Sans,11'
set bmargin 6
set xrange [0.5:10.5]
set xtics 1
plot 'mem-drift.dat' index 0 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb '#555555' title "native", \
     'mem-drift.dat' index 1 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb '#0072B2' title "docker (ρ=0.05)", \
     'mem-drift.dat' index 2 using 1:2 with linespoints lw 1.5 pt 7 ps 0.6 lc rgb '#D55E00' title "qemu (ρ=0.55)"
unset output
}
