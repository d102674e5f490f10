# speed relative to the baseline, 95% Fieller interval, log axis
# Written by virtbench 0.1.0; data in uplink-speedup.dat.
# Re-render from this directory with: gnuplot uplink-speedup.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'uplink-speedup.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set title "uplink: speed relative to native (95% CI)" font 'Sans,14'
set ylabel "× native (log scale; >1 = faster)"
set xtics ("docker" 0, "qemu" 1) scale 0 font 'Sans,12'
set xrange [-0.6:1.6]
set logscale y
set yrange [0.00254114:5.26966]
set key off
set style textbox opaque noborder margins 1,1
set rmargin 9
set ytics ('0.005' 0.005, '0.01' 0.01, '0.02' 0.02, '0.05' 0.05, '0.1' 0.1, '0.2' 0.2, '0.5' 0.5, '1' 1, '2' 2, '5' 5)
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#555555'
set label "native" at graph 1, first 1 offset 0.5,0 left textcolor rgb '#555555'
plot 'uplink-speedup.dat' using 1:2:3:4:5 with yerrorbars lc rgb variable lw 2.5 pt 7 ps 1.6, \
     '' using 1:4:(sprintf("%s\n%s", strcol(6), strcol(7))) with labels boxed offset 0,2 font 'Sans,11'
unset output
}
