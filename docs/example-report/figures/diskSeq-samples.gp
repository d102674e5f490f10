# every sample per platform: box plot and jittered strip
# Written by virtbench 0.1.0; data in diskSeq-samples.dat.
# Re-render from this directory with: gnuplot diskSeq-samples.gp
reset session
set encoding utf8
do for [fmt in 'png svg'] {
if (fmt eq 'png') {
  set terminal pngcairo size 960,540 font 'Sans,12' noenhanced background '#ffffff'
} else {
  set terminal svg size 960,540 font 'Sans,12' noenhanced background '#ffffff'
}
set output 'diskSeq-samples.'.fmt
set border 3 lw 1.2
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set multiplot layout 1,3 title "diskSeq, MiB/s: every sample (box: quartiles, whiskers: 1.5 IQR, ○: outlier)" font 'Sans,14'
set key off
unset xtics
set xrange [-0.5:0.5]
set boxwidth 0.5
set style fill empty
set format y '%.5g'
set offsets 0, 0, graph 0.05, graph 0.05
set title "native (n=5)" textcolor rgb '#555555' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 10
plot 'diskSeq-samples.dat' index 1 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 1 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 0 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60555555', \
     '' index 0 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#555555'
set title "docker (n=10)" textcolor rgb '#0072B2' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 50
plot 'diskSeq-samples.dat' index 3 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 3 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 2 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#600072B2', \
     '' index 2 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#0072B2'
set title "qemu (n=10)" textcolor rgb '#D55E00' font 'Sans,12'
unset label
set yrange [*:*]
set ytics 5
plot 'diskSeq-samples.dat' index 5 using 1:2:3:4:5 with candlesticks whiskerbars 0.6 lc rgb '#333333' lw 1.5, \
     '' index 5 using 1:6:6:6:6 with candlesticks lc rgb '#333333' lw 3, \
     '' index 4 using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.7 lc rgb '#60D55E00', \
     '' index 4 using 1:($3 > 0 ? $2 : NaN) with points pt 6 ps 1.2 lw 1.5 lc rgb '#D55E00'
unset multiplot
unset output
}
