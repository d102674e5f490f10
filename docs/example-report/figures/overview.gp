# overview: speed of every platform relative to the baseline, per benchmark
# Written by virtbench 0.1.0; data in overview.dat.
# Re-render from this directory with: gnuplot overview.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'overview.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set title "Speed relative to native, every benchmark (95% CI)" font 'Sans,14'
set ylabel "× native (log scale; >1 = faster)"
set xtics ("cpu" 0, "mem" 1, "diskRand" 2, "diskSeq" 3, "fork" 4, "uplink" 5) scale 0 font 'Sans,12'
set xrange [-0.6:5.6]
set logscale y
set yrange [0.00284036:8.63443]
set ytics ('0.005' 0.005, '0.01' 0.01, '0.02' 0.02, '0.05' 0.05, '0.1' 0.1, '0.2' 0.2, '0.5' 0.5, '1' 1, '2' 2, '5' 5)
set key outside right top vertical font 'Sans,12'
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#555555'
set label "native = 1" at graph 0.005, first 1 offset 0,0.6 left textcolor rgb '#555555' font 'Sans,10'
set arrow from 0.5, graph 0 to 0.5, graph 1 nohead lc rgb '#eeeeee'
set arrow from 1.5, graph 0 to 1.5, graph 1 nohead lc rgb '#eeeeee'
set arrow from 2.5, graph 0 to 2.5, graph 1 nohead lc rgb '#eeeeee'
set arrow from 3.5, graph 0 to 3.5, graph 1 nohead lc rgb '#eeeeee'
set arrow from 4.5, graph 0 to 4.5, graph 1 nohead lc rgb '#eeeeee'
plot 'overview.dat' index 0 using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '#0072B2' title "docker", \
     'overview.dat' index 1 using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.3 lc rgb '#D55E00' title "qemu"
unset output
}
